//! Fuzzes the .xls reader: any bytes read to values or to one finding (F01 or F02), never a
//! panic, memory beyond the limit or a hang. Built with `cfg(fuzzing)`, so npg's guard lets
//! every panic through to libFuzzer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use npg::findings::Code;
use npg::read::open::read_workbook_bytes;

fuzz_target!(|bytes: &[u8]| {
    if let Err(finding) = read_workbook_bytes(bytes, "xls", "fuzzed.xls") {
        assert!(matches!(finding.code, Code::F01 | Code::F02), "{finding}");
    }
});
