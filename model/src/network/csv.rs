//! Weight matrices as text (CSV): one row per source neuron, one column per target neuron.
//! Separators: commas, semicolons, tabs or spaces; blank lines and lines starting with `#` are
//! skipped. This module parses text only; reading the file is the caller's job (the model crate
//! does no I/O).
use super::NetworkError;

/// Parse a weight matrix. `source` names the text in error messages (e.g. the file name).
pub fn parse_matrix(text: &str, source: &str) -> Result<Vec<Vec<f64>>, NetworkError> {
    let mut rows = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut row = Vec::new();
        for (col, field) in line
            .split([',', ';', '\t', ' '])
            .filter(|f| !f.trim().is_empty())
            .enumerate()
        {
            let v: f64 = field.trim().parse().map_err(|_| NetworkError::WeightFile {
                file: source.to_string(),
                why: format!(
                    "line {}, column {}: '{}' is not a number",
                    ln + 1,
                    col + 1,
                    field.trim()
                ),
            })?;
            if !v.is_finite() {
                return Err(NetworkError::WeightFile {
                    file: source.to_string(),
                    why: format!("line {}, column {}: {v} is not finite", ln + 1, col + 1),
                });
            }
            row.push(v);
        }
        if let Some(first) = rows.first().map(|r: &Vec<f64>| r.len()) {
            if row.len() != first {
                return Err(NetworkError::WeightFile {
                    file: source.to_string(),
                    why: format!(
                        "line {} has {} values, the first row has {first}",
                        ln + 1,
                        row.len()
                    ),
                });
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Format a matrix as CSV (shortest round-trip representation of every value).
pub fn format_matrix(m: &[Vec<f64>]) -> String {
    let mut s = String::new();
    for row in m {
        let line: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let m = parse_matrix("# w\n1, 2,3\n\n4;5\t6\n", "w.csv").unwrap();
        assert_eq!(m, vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
        assert_eq!(parse_matrix(&format_matrix(&m), "x").unwrap(), m);
        let e = parse_matrix("1,2\n3\n", "w.csv").unwrap_err().to_string();
        assert!(e.contains("w.csv") && e.contains("line 2"), "{e}");
        let e = parse_matrix("1,x\n", "w.csv").unwrap_err().to_string();
        assert!(e.contains("'x'"), "{e}");
    }
}
