//! The progress indicator shown on stderr while returns are read (hidden when stderr is not
//! a terminal, so logs and pipes stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use npg::pay::inputs::ReadProgress;

/// A progress bar over the returns being read.
pub struct ReadingBar {
    bar: ProgressBar,
}

impl ReadingBar {
    pub fn new() -> ReadingBar {
        // indicatif draws nothing when stderr is not a terminal.
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("reading returns {bar:30} {pos}/{len} {elapsed}")
        {
            bar.set_style(style);
        }
        ReadingBar { bar }
    }
}

impl ReadProgress for ReadingBar {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn file_read(&self) {
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
