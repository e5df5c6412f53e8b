//! A table of the site, kept once: its page shows it and `data/` holds it as CSV and JSON,
//! so the figures a reader sees and the figures they download can never differ.

use serde::Serialize;

use crate::rules::taper::Rag;

/// A column: its key in the data files and its heading on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// `snake_case`: the CSV header and the JSON key.
    pub key: &'static str,
    pub title: String,
    /// Figures are right-aligned, as GOV.UK tables set numbers.
    pub numeric: bool,
    /// Shown on the page; a key column for joining files (a force id beside its name) is in
    /// the data files only.
    pub on_page: bool,
}

/// One cell: as shown, and as the data files hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// As the page shows it: `£1,374,722.88`, `103.15%`, `not reported`.
    pub text: String,
    /// The machine form the data files hold (`1374722.88`, `1.0315`); `None` is blank.
    pub value: Option<String>,
    /// A RAG rating, shown as a tag with its word.
    pub rag: Option<Rag>,
    /// A link on the page, relative to the page.
    pub link: Option<String>,
}

impl Cell {
    /// Text that is its own value (a name, a code).
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell {
            value: Some(text.clone()),
            text,
            ..Cell::default()
        }
    }

    /// A figure: shown as `text`, held as `value`.
    pub fn figure(text: impl Into<String>, value: impl ToString) -> Cell {
        Cell {
            text: text.into(),
            value: Some(value.to_string()),
            ..Cell::default()
        }
    }

    /// A blank figure, shown in words (`not reported`).
    pub fn blank(words: &str) -> Cell {
        Cell {
            text: words.to_owned(),
            value: None,
            ..Cell::default()
        }
    }

    pub fn with_link(mut self, link: String) -> Cell {
        self.link = Some(link);
        self
    }

    pub fn with_rag(mut self, rag: Rag) -> Cell {
        self.rag = Some(rag);
        self
    }
}

/// A table: its file name in `data/`, its caption, columns and rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The stem of its data files: `forces` is `data/forces.csv` and `data/forces.json`.
    pub name: String,
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Serialize)]
struct JsonColumn<'a> {
    key: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct JsonTable<'a> {
    title: &'a str,
    columns: Vec<JsonColumn<'a>>,
    /// Each row's values by column key, in the columns' order (as lists, so the order of a
    /// row is the header's whatever the reader's JSON library does with objects).
    rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl Table {
    /// The columns the page shows.
    pub fn page_columns(&self) -> Vec<&Column> {
        self.columns.iter().filter(|c| c.on_page).collect()
    }

    /// The rows as the page shows them: the cells of the columns on the page.
    pub fn page_rows(&self) -> Vec<Vec<&Cell>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.columns)
                    .filter(|(_, c)| c.on_page)
                    .map(|(cell, _)| cell)
                    .collect()
            })
            .collect()
    }

    /// Whether the page's column `index` holds figures (for its alignment). By reference,
    /// as the templates' loop gives its index.
    pub fn is_numeric(&self, index: &usize) -> bool {
        self.page_columns().get(*index).is_some_and(|c| c.numeric)
    }

    pub fn csv_path(&self) -> String {
        format!("data/{}.csv", self.name)
    }

    pub fn json_path(&self) -> String {
        format!("data/{}.json", self.name)
    }

    /// The CSV: a header of column keys, one record per row, blanks empty.
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
        writer.write_record(self.columns.iter().map(|c| c.key))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|c| c.value.as_deref().unwrap_or("")))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The JSON: the caption, the columns, and each row as an object of text values (a
    /// figure is a string, exactly as rules §1 has amounts in JSON), `null` for a blank.
    pub fn json(&self) -> Result<String, serde_json::Error> {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .zip(row)
                    .map(|(col, cell)| {
                        let value = cell
                            .value
                            .clone()
                            .map_or(serde_json::Value::Null, serde_json::Value::String);
                        (col.key.to_owned(), value)
                    })
                    .collect()
            })
            .collect();
        let table = JsonTable {
            title: &self.caption,
            columns: self
                .columns
                .iter()
                .map(|c| JsonColumn {
                    key: c.key,
                    title: &c.title,
                })
                .collect(),
            rows,
        };
        let mut text = serde_json::to_string_pretty(&table)?;
        text.push('\n');
        Ok(text)
    }
}

/// One force's tables of a kind stacked into one long table for analysts, each row led by
/// the force's name and id (the same rows the force pages' files hold).
pub fn all_forces(name: &str, caption: &str, tables: &[(&str, &str, &Table)]) -> Table {
    let columns = tables
        .first()
        .map(|t| t.2.columns.clone())
        .unwrap_or_default();
    let mut all = Table {
        name: name.to_owned(),
        caption: caption.to_owned(),
        columns: [
            text_column("force", "Force"),
            key_column("force_id", "Force id"),
        ]
        .into_iter()
        .chain(columns)
        .collect(),
        rows: Vec::new(),
    };
    for (id, force_name, table) in tables {
        for row in &table.rows {
            let mut full = vec![Cell::text(*force_name), Cell::text(*id)];
            full.extend(row.iter().cloned());
            all.rows.push(full);
        }
    }
    all
}

/// A column of text.
pub fn text_column(key: &'static str, title: &str) -> Column {
    Column {
        key,
        title: title.to_owned(),
        numeric: false,
        on_page: true,
    }
}

/// A key column, in the data files only (a force id, to join files by).
pub fn key_column(key: &'static str, title: &str) -> Column {
    Column {
        on_page: false,
        ..text_column(key, title)
    }
}

/// A column of figures.
pub fn figure_column(key: &'static str, title: &str) -> Column {
    Column {
        key,
        title: title.to_owned(),
        numeric: true,
        on_page: true,
    }
}

/// A column of figures in the data files only: a figure an analyst sums, which the page
/// says in words where it applies.
pub fn data_figure_column(key: &'static str, title: &str) -> Column {
    Column {
        on_page: false,
        ..figure_column(key, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_hold_the_values_behind_what_the_page_shows() {
        let table = Table {
            name: "t".to_owned(),
            caption: "A, with a comma".to_owned(),
            columns: vec![
                text_column("force", "Force"),
                figure_column("paid", "Paid (£)"),
            ],
            rows: vec![
                vec![
                    Cell::text("Kent Police"),
                    Cell::figure("£1,234.50", "1234.50"),
                ],
                vec![
                    Cell::text("Avon, \"Somerset\""),
                    Cell::blank("not reported"),
                ],
            ],
        };
        assert_eq!(
            table.csv().unwrap(),
            "force,paid\nKent Police,1234.50\n\"Avon, \"\"Somerset\"\"\",\n"
        );
        let json: serde_json::Value = serde_json::from_str(&table.json().unwrap()).unwrap();
        assert_eq!(json["rows"][0]["paid"], "1234.50");
        assert!(json["rows"][1]["paid"].is_null());
        assert_eq!(json["columns"][1]["title"], "Paid (£)");
        assert_eq!(table.csv_path(), "data/t.csv");
    }
}
