//! Durations on the command line: `250ms`, `2s`, `5m`, `12h`, `30d`.

use std::time::Duration;

/// Parses `<number><unit>` with unit `ms`, `s`, `m`, `h` or `d` (a bare `0` is accepted too).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(|| format!("`{text}` has no unit; write it like 250ms, 2s, 5m, 12h or 30d"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| {
        format!("`{text}` does not start with a number; write it like 250ms, 2s, 5m, 12h or 30d")
    })?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        other => {
            return Err(format!(
                "`{other}` in `{text}` is not a unit; use ms, s, m, h or d"
            ))
        }
    };
    if !seconds.is_finite() || seconds > 100.0 * 365.0 * 86_400.0 {
        return Err(format!("`{text}` is too long; at most 100 years"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn explains_what_is_wrong() {
        assert!(parse_duration("5").unwrap_err().contains("no unit"));
        assert!(parse_duration("5w").unwrap_err().contains("not a unit"));
        assert!(parse_duration("ms").unwrap_err().contains("number"));
    }
}
