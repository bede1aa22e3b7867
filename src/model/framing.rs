//! How the person frames the expansion: an aspect preset, a canvas-area multiplier and an anchor,
//! or four sides edited freely. The geometry itself lives in the core.

use kling_expand_core::geometry::{self, Anchor, Aspect, Infeasible, Ratios, Size};

/// The aspect-ratio presets, in the order the picker shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AspectPreset {
    Original,
    Square,
    Landscape4x3,
    Portrait3x4,
    Landscape3x2,
    Portrait2x3,
    Wide16x9,
    Tall9x16,
    Cinema21x9,
    Custom,
}

impl AspectPreset {
    pub const ALL: [AspectPreset; 10] = [
        Self::Original,
        Self::Square,
        Self::Landscape4x3,
        Self::Portrait3x4,
        Self::Landscape3x2,
        Self::Portrait2x3,
        Self::Wide16x9,
        Self::Tall9x16,
        Self::Cinema21x9,
        Self::Custom,
    ];

    /// The radio button's accessible name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Original => "Original",
            Self::Square => "1:1",
            Self::Landscape4x3 => "4:3",
            Self::Portrait3x4 => "3:4",
            Self::Landscape3x2 => "3:2",
            Self::Portrait2x3 => "2:3",
            Self::Wide16x9 => "16:9",
            Self::Tall9x16 => "9:16",
            Self::Cinema21x9 => "21:9",
            Self::Custom => "Custom",
        }
    }

    /// The aspect this preset asks for, given the picture and the custom W:H inputs.
    pub fn aspect(self, original: Size, custom: Aspect) -> Aspect {
        let (width, height) = match self {
            Self::Original => (f64::from(original.width), f64::from(original.height)),
            Self::Square => (1.0, 1.0),
            Self::Landscape4x3 => (4.0, 3.0),
            Self::Portrait3x4 => (3.0, 4.0),
            Self::Landscape3x2 => (3.0, 2.0),
            Self::Portrait2x3 => (2.0, 3.0),
            Self::Wide16x9 => (16.0, 9.0),
            Self::Tall9x16 => (9.0, 16.0),
            Self::Cinema21x9 => (21.0, 9.0),
            Self::Custom => return custom,
        };
        Aspect { width, height }
    }
}

/// The canvas-area multiplier a new picture starts with.
pub const DEFAULT_MULTIPLIER: f64 = 2.0;

/// Everything the person chose about the new canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Framing {
    pub preset: AspectPreset,
    /// The W and H inputs of the Custom preset.
    pub custom: Aspect,
    /// New canvas area as a multiple of the original's, 1.0 to 3.0.
    pub multiplier: f64,
    pub anchor: Anchor,
    /// `Some` once a side was edited by hand: the four sides are then the person's, not derived.
    pub free: Option<Ratios>,
}

impl Default for Framing {
    fn default() -> Self {
        Self {
            preset: AspectPreset::Original,
            custom: Aspect {
                width: 16.0,
                height: 9.0,
            },
            multiplier: DEFAULT_MULTIPLIER,
            anchor: Anchor::Center,
            free: None,
        }
    }
}

impl Framing {
    /// The four ratios to send for a picture of this displayed size, or why the choice cannot work.
    pub fn ratios(&self, original: Size) -> Result<Ratios, Infeasible> {
        match self.free {
            Some(free) => Ok(free),
            None => geometry::plan(
                original,
                self.preset.aspect(original, self.custom),
                self.multiplier,
                self.anchor,
            ),
        }
    }

    /// Picks a preset, which leaves free mode.
    pub fn choose_preset(&mut self, preset: AspectPreset) {
        self.preset = preset;
        self.free = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHOTO: Size = Size {
        width: 640,
        height: 480,
    };

    #[test]
    fn every_preset_has_the_label_the_picker_promises() {
        let labels: Vec<&str> = AspectPreset::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            ["Original", "1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "Custom"]
        );
    }

    #[test]
    fn a_wide_preset_widens_the_canvas_to_that_shape() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Wide16x9);
        let ratios = framing.ratios(PHOTO).expect("16:9 at 2x fits a 4:3 photo");
        let canvas = ratios.canvas(PHOTO);
        let aspect = f64::from(canvas.width) / f64::from(canvas.height);
        assert!(
            (aspect - 16.0 / 9.0).abs() < 0.01,
            "canvas {}x{}",
            canvas.width,
            canvas.height
        );
        assert!(canvas.width > PHOTO.width && canvas.height >= PHOTO.height);
    }

    #[test]
    fn original_keeps_the_picture_shape() {
        let ratios = Framing::default().ratios(PHOTO).unwrap();
        assert!((ratios.left - ratios.up).abs() < 1e-3, "{ratios:?}");
        assert!(ratios.left > 0.0);
    }

    #[test]
    fn a_free_edit_is_kept_until_a_preset_is_chosen() {
        let mut framing = Framing::default();
        let free = Ratios {
            up: 0.0,
            down: 0.5,
            left: 0.0,
            right: 0.0,
        };
        framing.free = Some(free);
        assert_eq!(framing.ratios(PHOTO).unwrap(), free);
        framing.choose_preset(AspectPreset::Square);
        assert_ne!(framing.ratios(PHOTO).unwrap(), free);
    }
}
