//! Pure helpers for the results: file names and where the original sits in a result.

use crate::i18n::{en, Strings};
use kling_expand_core::dialect::ResultImage;
use kling_expand_core::geometry::{Ratios, Size};

/// The frame the current results were made with: where the original sits in each of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResultsFrame {
    /// The original's displayed size when it was sent.
    pub original: Size,
    pub ratios: Ratios,
}

/// Where one press of Expand stands, as the history shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerationStatus {
    /// Being made and watched.
    Running,
    /// Done: its pictures are in the history.
    Succeeded,
    /// The person stopped watching, or the widget stopped waiting: it may still finish (and be
    /// billed) at the provider, so it can be looked at again.
    Unfinished,
}

/// One press of Expand and what it made, kept (with its framing) across later presses and
/// reloads.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// The id the widget gave the task, by which it can always be found.
    pub external_task_id: String,
    /// The provider's id, once it named one.
    pub task_id: Option<String>,
    /// The source picture's name, for captions and file names.
    pub source: String,
    /// The shape asked for: "16:9", "Original", "Free", …
    pub shape: String,
    pub frame: ResultsFrame,
    pub status: GenerationStatus,
    pub images: Vec<ResultImage>,
}

impl Generation {
    /// The output size in pixels, as `Ratios::canvas` defines it.
    pub fn canvas(&self) -> Size {
        self.frame.ratios.canvas(self.frame.original).size()
    }

    /// "16:9 · 1280 × 720 px · harbour.png": what the generation was made of.
    pub fn caption(&self, strings: &Strings) -> String {
        let size = self.canvas();
        let number = |n: u32| strings.number(f64::from(n), 0);
        let shape = match self.shape.as_str() {
            en::ORIGINAL => strings.get(en::ORIGINAL),
            en::CUSTOM => strings.get(en::CUSTOM),
            en::FREE => strings.get(en::FREE),
            shape => shape.to_owned(),
        };
        strings.fill(
            en::GENERATION_CAPTION,
            &[
                shape,
                number(size.width),
                number(size.height),
                self.source.clone(),
            ],
        )
    }

    /// The name result `position` of this generation is saved under:
    /// `<source name>-<shape>-<width>x<height>-<n>.<ext>`, e.g. `harbour-16x9-1280x720-1.png`,
    /// the extension taken from the link when it names one.
    pub fn download_name(&self, position: usize, url: &str) -> String {
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let extension = [".jpeg", ".jpg", ".webp", ".png"]
            .into_iter()
            .find(|ext| path.ends_with(ext))
            .unwrap_or(".png");
        // The last part of a path or address, without its extension.
        let file = self.source.trim_end_matches('/');
        let file = file.rsplit('/').next().unwrap_or(file);
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        let safe = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    ':' => 'x',
                    c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => c,
                    _ => '-',
                })
                .take(60)
                .collect()
        };
        let size = self.canvas();
        let stem = match safe(stem).trim_matches('-') {
            "" => "picture".to_owned(),
            stem => stem.to_owned(),
        };
        format!(
            "{stem}-{}-{}x{}-{}{extension}",
            safe(&self.shape.to_ascii_lowercase()),
            size.width,
            size.height,
            position + 1
        )
    }
}

/// The number each generation's first result is shown under ("Result 1", …): results are
/// numbered in the order they were made, so a name never changes as more come.
pub fn first_numbers(history: &[Generation]) -> Vec<usize> {
    let mut next = 1;
    history
        .iter()
        .map(|generation| {
            let first = next;
            next += generation.images.len();
            first
        })
        .collect()
}

/// The proxy's route for its copy of result `index` of a task, under the endpoint:
/// `/results/{task id}/{index}` (the proxy serves only links it relayed for that task).
pub fn result_copy_path(task_id: &str, index: u32) -> String {
    let task: String = task_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    format!("/results/{task}/{index}")
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

    fn generation(source: &str, shape: &str, images: usize) -> Generation {
        Generation {
            external_task_id: "ke-1".into(),
            task_id: Some("t".into()),
            source: source.into(),
            shape: shape.into(),
            frame: ResultsFrame {
                original: Size {
                    width: 640,
                    height: 480,
                },
                ratios: Ratios {
                    up: 0.0,
                    down: 0.0,
                    left: 0.1667,
                    right: 0.1667,
                },
            },
            status: GenerationStatus::Succeeded,
            images: (0..images as u32)
                .map(|index| ResultImage {
                    index,
                    url: format!("/r/{index}.png"),
                    watermark_url: None,
                    width: None,
                    height: None,
                })
                .collect(),
        }
    }

    #[test]
    fn names_carry_the_source_the_framing_and_the_links_extension() {
        let g = generation("harbour.png", "16:9", 1);
        assert_eq!(g.canvas(), Size::new(854, 480));
        assert_eq!(
            g.download_name(0, "https://cdn.example.test/out/abc.JPG?sig=1"),
            "harbour-16x9-854x480-1.jpg"
        );
        assert_eq!(
            generation("my photo (2).jpeg", "Free", 1).download_name(2, "/api/kling/results/t/2"),
            "my-photo--2-free-854x480-3.png"
        );
        assert_eq!(
            generation("https://example.test/", "Original", 1).download_name(0, "x"),
            "example-original-854x480-1.png"
        );
        assert_eq!(
            g.caption(&Strings::english()),
            "16:9 · 854 × 480 px · harbour.png"
        );
    }

    #[test]
    fn results_are_numbered_in_the_order_they_were_made() {
        let history = [
            generation("a.png", "1:1", 2),
            generation("a.png", "16:9", 0),
            generation("a.png", "4:3", 3),
        ];
        assert_eq!(first_numbers(&history), [1, 3, 3]);
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
