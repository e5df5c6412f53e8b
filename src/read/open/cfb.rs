//! A reader for Compound File Binary containers (MS-CFB), bounded where calamine's is not.

// A reader for Compound File Binary containers (MS-CFB), enough to list their entries and
// read one stream. It walks every chain calamine will walk when it opens the file (the
// directory, the mini stream and the mini FAT, then the workbook stream), finding entries
// as calamine does, so that a chain that loops, which would make calamine read for ever or
// allocate without bound, is an error here first. Every allocation is bounded by the
// file's size and every chain by its number of sectors.
//
// What it guards against, in calamine 0.38.0's src/cfb.rs: `get_chain` (cfb.rs:328) follows
// a chain until ENDOFCHAIN with no bound on its hops (cfb.rs:336) and indexes the FAT
// unchecked (cfb.rs:344, `fats[sector_id as usize]`); the directory's chain is read with
// `usize::MAX` as its bound (cfb.rs:138), and the mini stream and mini FAT whenever the
// header counts mini FAT sectors (cfb.rs:151-158); `Sectors::get` returns a sector cut
// short by the end of the file (cfb.rs:318-320), whose odd length `to_u32` asserts on
// (utils.rs:29).

use super::{le16, le32, le64};

/// Sector ids above this are markers (free, end of chain, FAT, DIFAT).
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const MINI_SECTOR: usize = 64;
/// Streams shorter than this live in the mini stream (as calamine reads them too, cfb.rs:189).
pub(super) const MINI_CUTOFF: u64 = 4096;

struct Entry {
    name: String,
    start: u32,
    size: u64,
}

pub(super) struct Compound<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Sectors after the header; the last may be cut short.
    sectors: usize,
    fat: Vec<u32>,
    entries: Vec<Entry>,
    mini_stream: Vec<u8>,
    mini_fat: Vec<u32>,
}

fn words(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

impl<'a> Compound<'a> {
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Compound<'a>, String> {
        let header = bytes
            .get(..512)
            .ok_or("it is shorter than a Compound File header")?;
        let sector_size = match le16(header, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            other => return Err(format!("unknown sector size {other:?}")),
        };
        if bytes.len() <= sector_size {
            return Err("it holds no sectors".to_owned());
        }
        let sectors = (bytes.len() - sector_size).div_ceil(sector_size);
        let mut file = Compound {
            bytes,
            sector_size,
            sectors,
            fat: Vec::new(),
            entries: Vec::new(),
            mini_stream: Vec::new(),
            mini_fat: Vec::new(),
        };

        // The FAT's own sectors: 109 listed in the header, the rest in the DIFAT chain.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| le32(header, 76 + 4 * i))
            .filter(|&id| id <= MAX_REGULAR_SECTOR)
            .collect();
        let per_difat = sector_size / 4 - 1;
        let mut next = le32(header, 68).unwrap_or(u32::MAX);
        let mut hops = 0;
        while next <= MAX_REGULAR_SECTOR {
            hops += 1;
            if hops > sectors {
                return Err("its DIFAT chain loops".to_owned());
            }
            let sector = file.sector(next)?;
            fat_sectors.extend(
                (0..per_difat)
                    .filter_map(|i| le32(sector, 4 * i))
                    .filter(|&id| id <= MAX_REGULAR_SECTOR),
            );
            next = le32(sector, 4 * per_difat).unwrap_or(u32::MAX);
        }
        if fat_sectors.len() > sectors {
            return Err("it lists more FAT sectors than it holds".to_owned());
        }
        let mut fat = Vec::with_capacity(fat_sectors.len() * sector_size / 4);
        for id in fat_sectors {
            fat.extend(words(file.sector(id)?));
        }
        file.fat = fat;

        let directory = file.regular(le32(header, 48).unwrap_or(u32::MAX), u64::MAX)?;
        file.entries = directory
            .chunks_exact(128)
            .map(|entry| {
                // As calamine names an entry: its 64 name bytes, up to the first NUL.
                let units: Vec<u16> = entry[..64]
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                let mut name = String::from_utf16_lossy(&units);
                if let Some(nul) = name.find('\0') {
                    name.truncate(nul);
                }
                let size = le64(entry, 120).unwrap_or(0);
                Entry {
                    name,
                    start: le32(entry, 116).unwrap_or(u32::MAX),
                    // Version 3 files may leave garbage in the high half of the size.
                    size: if sector_size == 512 {
                        size & 0xFFFF_FFFF
                    } else {
                        size
                    },
                }
            })
            .collect();

        // The mini stream (the root entry's) and the mini FAT, which calamine loads
        // whenever the header counts mini FAT sectors.
        let mini_fat_sectors = u64::from(le32(header, 64).unwrap_or(0));
        if mini_fat_sectors > 0 {
            let root = file.entries.first().ok_or("it has no root entry")?;
            file.mini_stream = file.regular(root.start, root.size)?;
            let mini_fat_bytes = mini_fat_sectors.saturating_mul(sector_size as u64);
            let mini_fat_start = le32(header, 60).unwrap_or(u32::MAX);
            file.mini_fat = words(&file.regular(mini_fat_start, mini_fat_bytes)?).collect();
        }
        Ok(file)
    }

    fn sector(&self, id: u32) -> Result<&'a [u8], String> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector_size))
            .filter(|&start| start < self.bytes.len())
            .ok_or_else(|| format!("sector {id} lies past the end of the file"))?;
        // A sector cut short by the end of the file: calamine reads one of its tables from
        // it and asserts on the odd length (utils.rs:29, `to_u32`; found by fuzzing), and a
        // file whose last sector is cut short was cut short itself.
        self.bytes
            .get(start..start + self.sector_size)
            .ok_or_else(|| format!("sector {id} is cut short by the end of the file"))
    }

    /// The bytes of a chain of regular sectors, at most `size` of them. As calamine does,
    /// the first sector is read even for a stream of no bytes (reading it past the end of
    /// the file made calamine panic: found by fuzzing), and the size is checked after each.
    fn regular(&self, start: u32, size: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0;
        while id <= MAX_REGULAR_SECTOR && (hops == 0 || (out.len() as u64) < size) {
            hops += 1;
            if hops > self.sectors {
                return Err("a chain of sectors loops".to_owned());
            }
            out.extend_from_slice(self.sector(id)?);
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| format!("sector {id} is not in the FAT"))?;
        }
        if let Ok(size) = usize::try_from(size) {
            out.truncate(size);
        }
        Ok(out)
    }

    /// The bytes of a stream kept in the mini stream (its first sector read even for a
    /// stream of no bytes, as calamine does).
    fn mini(&self, start: u32, size: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0;
        while id <= MAX_REGULAR_SECTOR && (hops == 0 || (out.len() as u64) < size) {
            hops += 1;
            if hops > self.mini_fat.len() {
                return Err("a chain of mini sectors loops".to_owned());
            }
            let at = (id as usize).saturating_mul(MINI_SECTOR);
            let sector = self
                .mini_stream
                .get(at..(at + MINI_SECTOR).min(self.mini_stream.len()))
                .filter(|sector| !sector.is_empty())
                .ok_or_else(|| format!("mini sector {id} lies past the mini stream"))?;
            out.extend_from_slice(sector);
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or_else(|| format!("mini sector {id} is not in the mini FAT"))?;
        }
        if let Ok(size) = usize::try_from(size) {
            out.truncate(size);
        }
        Ok(out)
    }

    /// The first entry of that name, ignoring case, as calamine finds it.
    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.name.eq_ignore_ascii_case(name))
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    /// A stream's bytes.
    pub(super) fn stream(&self, name: &str) -> Option<Result<Vec<u8>, String>> {
        let entry = self.entry(name)?;
        Some(if entry.size < MINI_CUTOFF {
            self.mini(entry.start, entry.size)
        } else {
            self.regular(entry.start, entry.size)
        })
    }
}
