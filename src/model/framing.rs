//! How the person frames the expansion: an aspect preset, a canvas-area multiplier and an anchor,
//! or four sides edited freely. The geometry itself lives in the core.
//!
//! `Framing` is plain data so that it can be kept across reloads (see `model::saved`); call
//! [`Framing::restored`] on what comes back from storage before using it.

use kling_expand_core::geometry::{
    self, Anchor, Aspect, Cap, CapReason, Infeasible, Ratios, Side, Size,
};
use kling_expand_core::limits::MAX_AREA_FACTOR;
use kling_expand_core::text::fixed;

/// The aspect-ratio presets, in the order the picker shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AspectPreset {
    #[default]
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

/// The anchor picker's accessible names, in [`Anchor::ALL`]'s reading order. The middle row and
/// column say "centre" so that no name equals a ratio field's ("Top", "Left", …).
pub fn anchor_label(anchor: Anchor) -> &'static str {
    match anchor {
        Anchor::TopLeft => "Top left",
        Anchor::Top => "Top centre",
        Anchor::TopRight => "Top right",
        Anchor::Left => "Centre left",
        Anchor::Center => "Centre",
        Anchor::Right => "Centre right",
        Anchor::BottomLeft => "Bottom left",
        Anchor::Bottom => "Bottom centre",
        Anchor::BottomRight => "Bottom right",
    }
}

/// The ratio field's accessible name for a side.
pub fn side_label(side: Side) -> &'static str {
    match side {
        Side::Up => "Top",
        Side::Down => "Bottom",
        Side::Left => "Left",
        Side::Right => "Right",
    }
}

/// The canvas-area multiplier a new picture starts with.
pub const DEFAULT_MULTIPLIER: f64 = 2.0;
/// The "Canvas area" slider's range: from no growth to Kling's area limit.
pub const MIN_MULTIPLIER: f64 = 1.0;
pub const MAX_MULTIPLIER: f64 = MAX_AREA_FACTOR;
/// How far one arrow key moves an edge handle; with Shift, [`LARGE_STEP`].
pub const STEP: f64 = 0.01;
pub const LARGE_STEP: f64 = 0.1;

/// Everything the person chose about the new canvas. Small and `Copy`: read it whole.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Framing {
    pub preset: AspectPreset,
    /// The W and H inputs of the Custom preset.
    pub custom: Aspect,
    /// New canvas area as a multiple of the original's, 1.0 to 3.0.
    pub multiplier: f64,
    pub anchor: Anchor,
    /// `Some` once a side was edited by hand: the four sides are then the person's, not derived.
    pub free: Option<Ratios>,
    /// What the last free edit had to change in the asked value, shown next to that side.
    /// A passing remark, not a setting: never saved.
    pub capped: Option<Cap>,
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
            capped: None,
        }
    }
}

/// A feasible choice offered when the current one cannot work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Remedy {
    /// Keep the aspect, use this canvas area.
    Multiplier(f64),
    /// Keep the canvas area, use this aspect (as a Custom W:H).
    Aspect(Aspect),
}

impl Remedy {
    /// Every way out `plan` offers for this refusal, multiplier first.
    pub fn offered(infeasible: &Infeasible) -> Vec<Remedy> {
        let Some(nearest) = infeasible.nearest else {
            return Vec::new();
        };
        let multiplier = nearest
            .multiplier
            .filter(|m| (MIN_MULTIPLIER..=MAX_MULTIPLIER).contains(m))
            .map(Remedy::Multiplier);
        let aspect = nearest.aspect.map(Remedy::Aspect);
        multiplier.into_iter().chain(aspect).collect()
    }

    /// The button's text: "Use 2.4× instead", "Use 1.78:1 instead".
    pub fn label(&self) -> String {
        match self {
            Remedy::Multiplier(m) => format!("Use {} instead", multiplier_text(*m)),
            Remedy::Aspect(a) => format!("Use {a} instead"),
        }
    }
}

/// A multiplier as the slider shows it: "2.0×", "2.4×", "1.34×".
pub fn multiplier_text(value: f64) -> String {
    let tenths = value * 10.0;
    if (tenths - tenths.round()).abs() < 1e-6 {
        format!("{}×", fixed(value, 1))
    } else {
        format!("{}×", fixed(value, 2))
    }
}

/// What to say next to a side whose asked value could not be taken as is.
pub fn cap_note(cap: &Cap) -> String {
    let set_to = fixed(cap.set_to, 4);
    match cap.reason {
        CapReason::MaxArea => format!(
            "Capped at {set_to}: the canvas may be at most 3× the picture's area. Reduce \
             another side to go further."
        ),
        CapReason::MaxSide => format!(
            "Capped at {set_to}: one side may add at most 2× the picture's {}.",
            cap.side.dimension()
        ),
        CapReason::Negative => {
            format!(
                "Set to {set_to}: a side cannot be negative, as that would cut into the picture."
            )
        }
        CapReason::NotANumber => {
            format!("Set to {set_to}: the field was empty or not a number.")
        }
    }
}

/// One thing the person did to the framing. All changes go through [`Framing::apply`], so the
/// widget has a single place where the framing is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Edit {
    Preset(AspectPreset),
    /// The Custom "W" input.
    CustomWidth(f64),
    /// The Custom "H" input.
    CustomHeight(f64),
    Multiplier(f64),
    Anchor(Anchor),
    /// A side typed in, or moved to an end (Home / End).
    Side(Side, f64),
    /// A side moved by an arrow key or a drag, relative to where it is.
    Step(Side, f64),
    Remedy(Remedy),
}

impl Framing {
    /// Applies one edit. Side edits need the picture's size and do nothing without one.
    pub fn apply(&mut self, original: Option<Size>, edit: Edit) {
        match (edit, original) {
            (Edit::Preset(preset), _) => self.choose_preset(preset),
            (Edit::CustomWidth(width), _) => self.set_custom(width, self.custom.height),
            (Edit::CustomHeight(height), _) => self.set_custom(self.custom.width, height),
            (Edit::Multiplier(m), _) => self.set_multiplier(m),
            (Edit::Anchor(anchor), _) => self.choose_anchor(anchor),
            (Edit::Remedy(remedy), _) => self.take(remedy),
            (Edit::Side(side, value), Some(size)) => self.edit_side(size, side, value),
            (Edit::Step(side, delta), Some(size)) => self.step_side(size, side, delta),
            (Edit::Side(..) | Edit::Step(..), None) => {}
        }
    }

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

    /// What the preview, the fields and the handles show: the ratios, or no growth at all while
    /// the choice cannot work (the note says why).
    pub fn shown(&self, original: Size) -> Ratios {
        self.ratios(original).unwrap_or(Ratios::ZERO)
    }

    /// True while the sides are the person's own (no preset applies).
    pub fn is_free(&self) -> bool {
        self.free.is_some()
    }

    /// The canvas area the slider shows: the chosen multiplier, or in free mode the area the
    /// four sides make.
    pub fn area(&self) -> f64 {
        match self.free {
            Some(free) => free.area_factor(),
            None => self.multiplier,
        }
    }

    /// Picks a preset, which leaves free mode.
    pub fn choose_preset(&mut self, preset: AspectPreset) {
        self.preset = preset;
        self.leave_free_mode();
    }

    /// The Custom W and H inputs; typing in them chooses Custom. A value that is not a positive
    /// number is kept as 0, which [`Framing::ratios`] explains rather than silently replaces.
    pub fn set_custom(&mut self, width: f64, height: f64) {
        let usable = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
        self.custom = Aspect::new(usable(width), usable(height));
        self.choose_preset(AspectPreset::Custom);
    }

    /// The "Canvas area" slider: the preset applies again at this multiplier (kept in 1–3).
    pub fn set_multiplier(&mut self, multiplier: f64) {
        if multiplier.is_finite() {
            self.multiplier = multiplier.clamp(MIN_MULTIPLIER, MAX_MULTIPLIER);
        }
        self.leave_free_mode();
    }

    /// Where the original sits; the preset applies again.
    pub fn choose_anchor(&mut self, anchor: Anchor) {
        self.anchor = anchor;
        self.leave_free_mode();
    }

    /// Takes a feasible choice offered for an infeasible one.
    pub fn take(&mut self, remedy: Remedy) {
        match remedy {
            Remedy::Multiplier(m) => self.set_multiplier(m),
            Remedy::Aspect(a) => self.set_custom(a.width, a.height),
        }
    }

    /// Free mode: sets one side to `value` through the core's rule (4 decimals, at most 2, and
    /// the canvas at most 3× the area with the other sides unchanged). Starts from what is
    /// shown; the other three sides do not move. Remembers whether the value was capped.
    pub fn edit_side(&mut self, original: Size, side: Side, value: f64) {
        let edit = geometry::set_side(self.shown(original), side, value);
        self.free = Some(edit.ratios);
        self.capped = edit.capped;
    }

    /// Moves one side by `delta` (an arrow key or a drag), never below 0.
    pub fn step_side(&mut self, original: Size, side: Side, delta: f64) {
        let value = (self.shown(original).get(side) + delta).max(0.0);
        self.edit_side(original, side, value);
    }

    /// The most this side can be with the other three as shown.
    pub fn side_max(&self, original: Size, side: Side) -> f64 {
        geometry::max_side(self.shown(original), side)
    }

    /// Makes a value read back from storage safe to use: a multiplier in range, a custom aspect
    /// of finite numbers, free sides inside every limit.
    pub fn restored(mut self) -> Framing {
        if !self.multiplier.is_finite() {
            self.multiplier = DEFAULT_MULTIPLIER;
        }
        self.multiplier = self.multiplier.clamp(MIN_MULTIPLIER, MAX_MULTIPLIER);
        if !(self.custom.width.is_finite() && self.custom.height.is_finite()) {
            self.custom = Framing::default().custom;
        }
        self.free = self.free.map(|free| free.quantized());
        self.capped = None;
        self
    }

    fn leave_free_mode(&mut self) {
        self.free = None;
        self.capped = None;
    }
}

#[cfg(test)]
mod tests {
    use kling_expand_core::geometry::{Limit, ASPECT_TOLERANCE};

    use super::*;

    const PHOTO: Size = Size {
        width: 640,
        height: 480,
    };

    fn canvas_aspect(framing: &Framing, original: Size) -> f64 {
        framing.ratios(original).unwrap().canvas(original).aspect()
    }

    #[test]
    fn every_preset_has_the_label_the_picker_promises() {
        let labels: Vec<&str> = AspectPreset::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            ["Original", "1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "Custom"]
        );
    }

    #[test]
    fn every_preset_gives_a_canvas_of_its_shape_at_three_times() {
        let mut framing = Framing::default();
        framing.set_multiplier(3.0);
        for preset in AspectPreset::ALL {
            framing.choose_preset(preset);
            let wanted = preset.aspect(PHOTO, framing.custom).value();
            let got = canvas_aspect(&framing, PHOTO);
            assert!(
                (got / wanted - 1.0).abs() <= ASPECT_TOLERANCE,
                "{}: {got} for {wanted}",
                preset.label()
            );
            let ratios = framing.ratios(PHOTO).unwrap();
            assert!(ratios.area_factor() <= 3.0, "{}", preset.label());
        }
    }

    #[test]
    fn a_wide_preset_widens_the_canvas_to_that_shape() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Wide16x9);
        let canvas = framing.ratios(PHOTO).unwrap().canvas(PHOTO);
        assert!((canvas.aspect() - 16.0 / 9.0).abs() < 0.01, "{canvas:?}");
        assert!(canvas.width > PHOTO.width && canvas.height >= PHOTO.height);
    }

    #[test]
    fn original_keeps_the_picture_shape_and_centres_it() {
        let ratios = Framing::default().ratios(PHOTO).unwrap();
        assert!((ratios.left - ratios.up).abs() < 1e-3, "{ratios:?}");
        assert_eq!(ratios.left, ratios.right);
        assert_eq!(ratios.up, ratios.down);
        assert!((ratios.area_factor() - 2.0).abs() < 0.01);
    }

    #[test]
    fn custom_uses_the_w_and_h_inputs() {
        let mut framing = Framing::default();
        framing.set_custom(5.0, 4.0);
        assert_eq!(framing.preset, AspectPreset::Custom);
        assert!((canvas_aspect(&framing, PHOTO) - 1.25).abs() < 0.01);
    }

    #[test]
    fn a_custom_zero_is_explained_not_replaced() {
        let mut framing = Framing::default();
        framing.set_custom(f64::NAN, 4.0);
        assert_eq!(framing.custom, Aspect::new(0.0, 4.0));
        let refusal = framing.ratios(PHOTO).unwrap_err();
        assert_eq!(refusal.blocked_by, Limit::InvalidAspect);
        assert!(refusal.to_string().contains("0:4"), "{refusal}");
        assert_eq!(framing.shown(PHOTO), Ratios::ZERO);
    }

    #[test]
    fn anchors_put_the_growth_away_from_the_anchored_edges() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Wide16x9);
        framing.choose_anchor(Anchor::Left);
        let r = framing.ratios(PHOTO).unwrap();
        assert_eq!(r.left, 0.0);
        assert!(r.right > 0.0);
        framing.choose_anchor(Anchor::TopLeft);
        let r = framing.ratios(PHOTO).unwrap();
        assert_eq!((r.up, r.left), (0.0, 0.0));
        assert!(r.down > 0.0 && r.right > 0.0);
        framing.choose_anchor(Anchor::BottomRight);
        let r = framing.ratios(PHOTO).unwrap();
        assert_eq!((r.down, r.right), (0.0, 0.0));
    }

    #[test]
    fn anchor_names_differ_from_the_ratio_fields() {
        for anchor in Anchor::ALL {
            for side in Side::ALL {
                assert_ne!(anchor_label(anchor), side_label(side));
            }
        }
        assert_eq!(anchor_label(Anchor::Left), "Centre left");
    }

    #[test]
    fn a_free_edit_moves_only_that_side_and_leaves_the_preset() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Wide16x9);
        let before = framing.ratios(PHOTO).unwrap();
        framing.edit_side(PHOTO, Side::Up, 0.3);
        let after = framing.ratios(PHOTO).unwrap();
        assert!(framing.is_free());
        assert_eq!(after, before.with(Side::Up, 0.3));
        assert_eq!(framing.capped, None);
        // The preset is remembered for the slider, but no longer applies.
        assert_eq!(framing.preset, AspectPreset::Wide16x9);
        assert!((framing.area() - after.area_factor()).abs() < 1e-12);
    }

    #[test]
    fn a_free_edit_over_the_area_is_capped_and_says_so() {
        let mut framing = Framing::default();
        let before = framing.ratios(PHOTO).unwrap();
        framing.edit_side(PHOTO, Side::Up, 5.0);
        let after = framing.ratios(PHOTO).unwrap();
        let cap = framing.capped.expect("capped");
        assert_eq!(cap.reason, CapReason::MaxArea);
        assert_eq!(after.up, cap.set_to);
        assert_eq!(after.with(Side::Up, before.up), before, "others unchanged");
        assert!(after.check().is_ok());
        let note = cap_note(&cap);
        assert!(
            note.starts_with(&format!(
                "Capped at {:.4}: the canvas may be at most 3×",
                cap.set_to
            )),
            "{note}"
        );
        // The next edit that fits clears the remark.
        framing.edit_side(PHOTO, Side::Up, 0.1);
        assert_eq!(framing.capped, None);
    }

    #[test]
    fn cap_notes_name_the_rule() {
        let mut framing = Framing {
            free: Some(Ratios::ZERO),
            ..Framing::default()
        };
        framing.edit_side(PHOTO, Side::Left, 2.5);
        let note = cap_note(&framing.capped.unwrap());
        assert_eq!(
            note,
            "Capped at 2.0000: one side may add at most 2× the picture's width."
        );
        framing.edit_side(PHOTO, Side::Left, -1.0);
        assert!(cap_note(&framing.capped.unwrap()).starts_with("Set to 0.0000: a side cannot"));
        framing.edit_side(PHOTO, Side::Left, f64::NAN);
        assert!(cap_note(&framing.capped.unwrap()).contains("not a number"));
    }

    #[test]
    fn choosing_a_preset_anchor_or_area_leaves_free_mode() {
        let mut framing = Framing::default();
        framing.edit_side(PHOTO, Side::Down, 9.0);
        framing.choose_preset(AspectPreset::Square);
        assert!(!framing.is_free() && framing.capped.is_none());
        framing.edit_side(PHOTO, Side::Down, 0.5);
        framing.choose_anchor(Anchor::Top);
        assert!(!framing.is_free());
        framing.edit_side(PHOTO, Side::Down, 0.5);
        framing.set_multiplier(2.5);
        assert!(!framing.is_free());
        assert_eq!(framing.multiplier, 2.5);
    }

    #[test]
    fn steps_move_one_side_and_stop_at_zero_and_the_cap() {
        let mut framing = Framing::default();
        let start = framing.ratios(PHOTO).unwrap();
        for _ in 0..5 {
            framing.step_side(PHOTO, Side::Right, STEP);
        }
        let after = framing.ratios(PHOTO).unwrap();
        assert!(
            (after.right - (start.right + 0.05)).abs() < 1e-9,
            "{after:?}"
        );
        assert_eq!(after.with(Side::Right, start.right), start);
        for _ in 0..100 {
            framing.step_side(PHOTO, Side::Right, -LARGE_STEP);
        }
        assert_eq!(framing.ratios(PHOTO).unwrap().right, 0.0);
        assert_eq!(framing.capped, None, "stepping down to 0 is not a cap");
        let max = framing.side_max(PHOTO, Side::Right);
        framing.edit_side(PHOTO, Side::Right, max);
        assert_eq!(framing.capped, None);
        framing.step_side(PHOTO, Side::Right, STEP);
        assert_eq!(framing.ratios(PHOTO).unwrap().right, max);
        assert_eq!(framing.capped.unwrap().reason, CapReason::MaxArea);
    }

    #[test]
    fn an_infeasible_choice_is_kept_and_offers_a_way_out() {
        let mut framing = Framing::default();
        // 9:16 around a 4:3 picture needs at least 2.38× its area.
        framing.choose_preset(AspectPreset::Tall9x16);
        let refusal = framing.ratios(PHOTO).unwrap_err();
        assert_eq!(refusal.blocked_by, Limit::MinMultiplier);
        assert_eq!(framing.preset, AspectPreset::Tall9x16, "the choice is kept");
        assert_eq!(framing.multiplier, 2.0, "nothing is silently changed");
        assert_eq!(framing.shown(PHOTO), Ratios::ZERO);
        let remedies = Remedy::offered(&refusal);
        let Remedy::Multiplier(m) = remedies[0] else {
            panic!("{remedies:?}")
        };
        assert_eq!(
            remedies[0].label(),
            format!("Use {} instead", multiplier_text(m))
        );
        assert_eq!(remedies[0].label(), "Use 2.38× instead");
        framing.apply(Some(PHOTO), Edit::Remedy(remedies[0]));
        let r = framing.ratios(PHOTO).expect("the offer works");
        assert!((r.canvas(PHOTO).aspect() - 9.0 / 16.0).abs() < 0.01);
        assert_eq!(framing.preset, AspectPreset::Tall9x16);
    }

    #[test]
    fn an_aspect_out_of_reach_offers_the_nearest_aspect() {
        // A 9:16 picture cannot become 21:9 within 3× its area.
        let portrait = Size::new(540, 960);
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Cinema21x9);
        let refusal = framing.ratios(portrait).unwrap_err();
        assert_eq!(refusal.blocked_by, Limit::MaxArea);
        let remedies = Remedy::offered(&refusal);
        assert_eq!(remedies.len(), 1, "{remedies:?}");
        let Remedy::Aspect(aspect) = remedies[0] else {
            panic!("{remedies:?}")
        };
        assert_eq!(remedies[0].label(), format!("Use {aspect} instead"));
        framing.apply(Some(PHOTO), Edit::Remedy(remedies[0]));
        assert_eq!(framing.preset, AspectPreset::Custom);
        assert!(framing.ratios(portrait).is_ok());
    }

    #[test]
    fn multipliers_read_like_the_slider() {
        assert_eq!(multiplier_text(2.0), "2.0×");
        assert_eq!(multiplier_text(2.4), "2.4×");
        assert_eq!(multiplier_text(1.34), "1.34×");
        assert_eq!(multiplier_text(3.0), "3.0×");
    }

    #[test]
    fn edits_go_through_one_door() {
        let mut framing = Framing::default();
        framing.apply(Some(PHOTO), Edit::CustomWidth(5.0));
        assert_eq!(framing.custom, Aspect::new(5.0, 9.0));
        framing.apply(Some(PHOTO), Edit::CustomHeight(4.0));
        assert_eq!(framing.custom, Aspect::new(5.0, 4.0));
        assert_eq!(framing.preset, AspectPreset::Custom);
        let before = framing;
        framing.apply(None, Edit::Side(Side::Up, 0.5));
        framing.apply(None, Edit::Step(Side::Up, 0.1));
        assert_eq!(
            framing, before,
            "a side needs a picture to be measured against"
        );
        framing.apply(Some(PHOTO), Edit::Step(Side::Left, STEP));
        let r = framing.ratios(PHOTO).unwrap();
        assert!((r.left - (before.ratios(PHOTO).unwrap().left + STEP)).abs() < 1e-9);
        framing.apply(Some(PHOTO), Edit::Anchor(Anchor::Top));
        assert!(!framing.is_free());
        assert_eq!(framing.anchor, Anchor::Top);
        framing.apply(Some(PHOTO), Edit::Multiplier(f64::NAN));
        assert_eq!(
            framing.multiplier, DEFAULT_MULTIPLIER,
            "a non-number changes nothing"
        );
        framing.apply(Some(PHOTO), Edit::Multiplier(9.0));
        assert_eq!(framing.multiplier, MAX_MULTIPLIER);
        framing.apply(Some(PHOTO), Edit::Preset(AspectPreset::Square));
        assert_eq!(framing.preset, AspectPreset::Square);
    }

    #[test]
    fn restored_values_are_made_safe() {
        let stored = Framing {
            multiplier: 7.5,
            custom: Aspect::new(f64::INFINITY, 1.0),
            free: Some(Ratios::new(-1.0, 2.5, 1.0, 1.0)),
            ..Framing::default()
        };
        let safe = stored.restored();
        assert_eq!(safe.multiplier, MAX_MULTIPLIER);
        assert_eq!(safe.custom, Framing::default().custom);
        assert!(safe.free.unwrap().check().is_ok());
    }
}
