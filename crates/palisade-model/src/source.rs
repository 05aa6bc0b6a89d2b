//! Source files and spans. A span is a byte range in one file; line and column are computed on
//! demand from the file's line index, so model elements stay small.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// Index of a file in the [`SourceMap`] of a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The smallest span covering both (they must be in the same file; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line and column (1-based, columns in characters) of a byte offset in a text, for texts
/// that are not (yet) in a [`SourceMap`].
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let starts = line_starts(text.get(..offset).unwrap_or(""));
    let line = starts.len();
    let line_start = starts.last().copied().unwrap_or(0) as usize;
    let col = text
        .get(line_start..offset)
        .map_or(0, |s| s.chars().count())
        + 1;
    LineCol {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
    }
}

/// Byte offsets where lines start. A line ends at `\n`, `\r\n` or a lone `\r` (old Mac
/// files), as YAML parsers count them.
fn line_starts(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let mut starts = vec![0u32];
    for (i, &b) in bytes.iter().enumerate() {
        let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if b == b'\n' || lone_cr {
            starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    starts
}

/// One file read by a scan: its path relative to the scanned root and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the scan root, with `/` separators (what reports show).
    pub path: String,
    /// The path on disk, for reading companion files.
    pub disk_path: PathBuf,
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: String, disk_path: PathBuf, text: Arc<str>) -> Self {
        SourceFile {
            path,
            disk_path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the end; offsets inside a
    /// multi-byte character count that character once.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let starts = self.line_starts();
        let line_idx = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = starts.get(line_idx).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(line_start..end)
            .map_or(end.saturating_sub(line_start), |s| s.chars().count());
        LineCol {
            line: u32::try_from(line_idx + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let starts = self.line_starts();
        let idx = (line as usize).saturating_sub(1);
        let Some(&start) = starts.get(idx) else {
            return "";
        };
        let end = starts.get(idx + 1).map_or(self.text.len(), |&e| e as usize);
        self.text
            .get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts()
            .get((line as usize).saturating_sub(1))
            .copied()
    }
}

/// Every file a scan read. Append-only and shareable between threads: loaders add files while
/// running in parallel, and a `FileId` stays valid for the whole scan.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, path: String, disk_path: &Path, text: Arc<str>) -> FileId {
        let file = Arc::new(SourceFile::new(path, disk_path.to_path_buf(), text));
        let mut files = match self.files.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.push(file);
        FileId(u32::try_from(files.len() - 1).unwrap_or(u32::MAX))
    }

    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = match self.files.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.get(id.0 as usize).cloned()
    }

    /// Path (relative to the scan root) of a file, or `"<unknown>"`.
    pub fn path(&self, id: FileId) -> String {
        self.get(id)
            .map_or_else(|| "<unknown>".to_string(), |f| f.path.clone())
    }

    /// Start and end line/column of a span.
    pub fn resolve(&self, span: Span) -> Option<(String, LineCol, LineCol)> {
        let file = self.get(span.file)?;
        Some((
            file.path.clone(),
            file.line_col(span.start),
            file.line_col(span.end),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("t".into(), PathBuf::new(), Arc::from("ab\nxé=1\n"));
        assert_eq!(f.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, col: 1 });
        // 'é' is two bytes: '=' is at byte 6 but column 3.
        assert_eq!(f.line_col(6), LineCol { line: 2, col: 3 });
        assert_eq!(f.line_text(2), "xé=1");
        assert_eq!(f.line_col(1000).line, 3);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let text = "a: 1\rb: 2\r\nc: 3";
        let f = SourceFile::new("t".into(), PathBuf::new(), Arc::from(text));
        assert_eq!(f.line_col(5), LineCol { line: 2, col: 1 });
        assert_eq!(f.line_col(11), LineCol { line: 3, col: 1 });
        assert_eq!(line_col(text, 11), LineCol { line: 3, col: 1 });
        assert_eq!(f.line_text(2), "b: 2");
    }
}
