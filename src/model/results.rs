//! Pure helpers for the results: file names and where the original sits in a result.

use kling_expand_core::geometry::{Ratios, Size};

/// The frame the current results were made with: where the original sits in each of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResultsFrame {
    /// The original's displayed size when it was sent.
    pub original: Size,
    pub ratios: Ratios,
}

/// The name a downloaded result is saved under: `expanded-<task>-<n>.<ext>`, the extension
/// taken from the link when it names one.
pub fn download_name(task_id: Option<&str>, position: usize, url: &str) -> String {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let extension = [".jpeg", ".jpg", ".webp", ".png"]
        .into_iter()
        .find(|ext| path.ends_with(ext))
        .unwrap_or(".png");
    let task: String = task_id
        .unwrap_or("result")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    format!("expanded-{task}-{}{extension}", position + 1)
}

/// The original's frame inside a result, as CSS percentages (left, top, width, height).
pub fn frame_percentages(original: Size, ratios: Ratios) -> [f64; 4] {
    let canvas = ratios.canvas(original);
    let percent = |part: u32, whole: u32| f64::from(part) * 100.0 / f64::from(whole.max(1));
    [
        percent(canvas.left_px, canvas.width),
        percent(canvas.top_px, canvas.height),
        percent(original.width, canvas.width),
        percent(original.height, canvas.height),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_task_the_position_and_the_links_extension() {
        let url = "https://cdn.example.test/out/abc.JPG?sig=1";
        assert_eq!(
            download_name(Some("task 42/x"), 0, url),
            "expanded-task42x-1.jpg"
        );
        assert_eq!(
            download_name(None, 2, "/api/kling/results/t/2"),
            "expanded-result-3.png"
        );
    }

    #[test]
    fn the_frame_sits_where_the_ratios_put_it() {
        let ratios = Ratios {
            up: 0.5,
            down: 0.0,
            left: 0.25,
            right: 0.75,
        };
        let [left, top, width, height] = frame_percentages(
            Size {
                width: 400,
                height: 300,
            },
            ratios,
        );
        // canvas 800 × 450: the original starts 100 px in and 150 px down.
        assert_eq!(
            [left, top, width, height],
            [12.5, 100.0 / 3.0, 50.0, 200.0 / 3.0]
        );
    }
}
