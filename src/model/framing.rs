//! How the person frames the expansion: an aspect preset, a canvas-area multiplier and an anchor,
//! or four sides edited freely. The geometry itself lives in the core.
//!
//! `Framing` is plain data so that it can be kept across reloads (see `model::saved`); call
//! [`Framing::restored`] on what comes back from storage before using it.

use crate::i18n::{en, Strings};
use kling_expand_core::geometry::{
    self, Anchor, Aspect, Cap, CapReason, Infeasible, Position, Ratios, Side, Size,
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
            Self::Original => en::ORIGINAL,
            Self::Square => "1:1",
            Self::Landscape4x3 => "4:3",
            Self::Portrait3x4 => "3:4",
            Self::Landscape3x2 => "3:2",
            Self::Portrait2x3 => "2:3",
            Self::Wide16x9 => "16:9",
            Self::Tall9x16 => "9:16",
            Self::Cinema21x9 => "21:9",
            Self::Custom => en::CUSTOM,
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
        Anchor::TopLeft => en::TOP_LEFT,
        Anchor::Top => en::TOP_CENTRE,
        Anchor::TopRight => en::TOP_RIGHT,
        Anchor::Left => en::CENTRE_LEFT,
        Anchor::Center => en::CENTRE,
        Anchor::Right => en::CENTRE_RIGHT,
        Anchor::BottomLeft => en::BOTTOM_LEFT,
        Anchor::Bottom => en::BOTTOM_CENTRE,
        Anchor::BottomRight => en::BOTTOM_RIGHT,
    }
}

/// The ratio field's accessible name for a side.
pub fn side_label(side: Side) -> &'static str {
    match side {
        Side::Up => en::TOP,
        Side::Down => en::BOTTOM,
        Side::Left => en::LEFT,
        Side::Right => en::RIGHT,
    }
}

/// The canvas-area multiplier a new picture starts with ("Original", twice its area).
pub const DEFAULT_MULTIPLIER: f64 = 2.0;
/// The "Canvas area" slider's range: from no growth to Kling's area limit.
pub const MIN_MULTIPLIER: f64 = 1.0;
pub const MAX_MULTIPLIER: f64 = MAX_AREA_FACTOR;
/// How far one arrow key moves an edge handle or the picture, in the picture's pixels; with
/// Shift (or Page Up / Page Down), [`LARGE_STEP_PX`].
pub const STEP_PX: f64 = 1.0;
pub const LARGE_STEP_PX: f64 = 10.0;
/// How close (as a share of the free room) a dragged picture must come to one of the nine
/// anchors to be pulled onto it.
pub const SNAP: f64 = 0.04;
/// How many framings Undo can go back.
pub const HISTORY_DEPTH: usize = 100;

/// Everything the person chose about the new canvas. Small and `Copy`: read it whole.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Framing {
    pub preset: AspectPreset,
    /// The W and H inputs of the Custom preset.
    pub custom: Aspect,
    /// The canvas area asked for, as a multiple of the original's ("Canvas area", 1.0 to 3.0):
    /// more room around the smallest canvas of the preset's shape, which is what a preset gives
    /// when this asks for less.
    pub multiplier: f64,
    /// Where the picture sits in its frame: the nine anchors, or anywhere between them.
    pub position: Position,
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
            position: Position::CENTER,
            free: None,
            capped: None,
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

/// What to say next to a side whose asked value could not be taken as is, in the picture's
/// pixels (`base` is the dimension the side is a multiple of).
pub fn cap_note(strings: &Strings, cap: &Cap, base: u32) -> String {
    let px = (cap.set_to * f64::from(base)).round();
    let set_to = [fixed(px, 0)];
    match cap.reason {
        CapReason::MaxArea => strings.fill(en::CAP_AREA, &set_to),
        CapReason::MaxSide if cap.side.is_vertical() => strings.fill(en::CAP_SIDE_HEIGHT, &set_to),
        CapReason::MaxSide => strings.fill(en::CAP_SIDE_WIDTH, &set_to),
        CapReason::Negative | CapReason::NotANumber => strings.get(en::ENTER_WHOLE_PIXELS_OR_MORE),
    }
}

/// A number typed in a pixel field, or why it is not one: whole, 0 or more. `typed` is the
/// field's `valueAsNumber` (NaN when empty or not a number).
pub fn typed_pixels(typed: f64) -> Result<u32, &'static str> {
    if typed.is_nan() {
        Err(en::ENTER_PIXELS)
    } else if typed < 0.0 {
        Err(en::SIDE_NEGATIVE)
    } else if typed.fract() != 0.0 {
        Err(en::ENTER_WHOLE_PIXELS)
    } else {
        Ok(typed.min(f64::from(u32::MAX)) as u32)
    }
}

/// A side of a custom shape typed in "W" or "H", or why it cannot be used.
pub fn typed_shape_side(typed: f64) -> Result<f64, &'static str> {
    if typed.is_finite() && typed > 0.0 {
        Ok(typed)
    } else {
        Err(en::SHAPE_SIDE)
    }
}

/// One thing the person did to the framing. All changes go through [`Framing::apply`], so the
/// widget has a single place where the framing is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Edit {
    Preset(AspectPreset),
    /// The Custom "W" and "H" inputs (both, once each is a usable number).
    Custom(Aspect),
    Multiplier(f64),
    /// The picture placed: an anchor, or wherever it was dragged.
    Position(Position),
    /// A side typed in, or moved to an end (Home / End), as a ratio.
    Side(Side, f64),
    /// A side moved by an arrow key, relative to where it is, as a ratio.
    Step(Side, f64),
    /// Several sides set at once (a corner, or an edge with Alt), as ratios; `None` keeps one.
    Sides([Option<f64>; 4]),
    /// Back to a new widget's framing.
    Reset,
}

impl Framing {
    /// Applies one edit. Side edits need the picture's size and do nothing without one.
    pub fn apply(&mut self, original: Option<Size>, edit: Edit) {
        match (edit, original) {
            (Edit::Preset(preset), size) => self.choose_preset(preset, size),
            (Edit::Custom(aspect), size) => self.set_custom(aspect.width, aspect.height, size),
            (Edit::Multiplier(m), size) => self.set_multiplier(size, m),
            (Edit::Position(at), size) => self.place(size, at),
            (Edit::Reset, _) => *self = Framing::default(),
            (Edit::Side(side, value), Some(size)) => self.edit_side(size, side, value),
            (Edit::Step(side, delta), Some(size)) => self.step_side(size, side, delta),
            (Edit::Sides(values), Some(size)) => {
                let mut capped = None;
                for (side, value) in Side::ALL.into_iter().zip(values) {
                    if let Some(value) = value {
                        self.edit_side(size, side, value);
                        capped = capped.or(self.capped);
                    }
                }
                self.capped = capped;
            }
            (Edit::Side(..) | Edit::Step(..) | Edit::Sides(..), None) => {}
        }
    }

    /// The four ratios to send for a picture of this displayed size, or why the choice cannot work.
    pub fn ratios(&self, original: Size) -> Result<Ratios, Infeasible> {
        match self.free {
            Some(free) => Ok(free),
            None => geometry::plan(
                original,
                self.aspect(original),
                self.asked_area(original),
                self.position,
            ),
        }
    }

    /// The area asked of the preset on this picture: the smallest canvas of its shape, unless
    /// that is the picture itself (a picture that already has the shape, as after Expand again),
    /// which gets twice its area instead of nothing.
    fn asked_area(&self, original: Size) -> f64 {
        let own_shape = geometry::min_multiplier(original, self.aspect(original)) < 1.01;
        if own_shape && self.multiplier <= MIN_MULTIPLIER {
            DEFAULT_MULTIPLIER
        } else {
            self.multiplier
        }
    }

    /// The shape the preset asks for on this picture.
    pub fn aspect(&self, original: Size) -> Aspect {
        self.preset.aspect(original, self.custom)
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

    /// Where the picture sits now: the chosen position, or where the hand-set sides put it.
    pub fn placement(&self) -> Position {
        self.free.map_or(self.position, |free| free.position())
    }

    /// The canvas area the slider shows: the area of the canvas a preset gives (never below the
    /// smallest of its shape), or in free mode the area the four sides make.
    pub fn area(&self, original: Option<Size>) -> f64 {
        match (self.free, original) {
            (Some(free), _) => free.area_factor(),
            (None, Some(size)) => {
                geometry::canvas_area(size, self.aspect(size), self.asked_area(size))
            }
            (None, None) => self.multiplier,
        }
    }

    /// Picks a preset, which leaves free mode and gives the smallest canvas of that shape. A
    /// shape the picture already has ("Original", or 4:3 on a 4:3 photo) keeps its room, or
    /// starts at twice the area: its smallest canvas would be the picture itself.
    pub fn choose_preset(&mut self, preset: AspectPreset, original: Option<Size>) {
        self.preset = preset;
        let own_shape = match original {
            Some(size) => geometry::min_multiplier(size, self.aspect(size)) < 1.01,
            None => preset == AspectPreset::Original,
        };
        self.multiplier = match own_shape {
            true if self.multiplier <= MIN_MULTIPLIER => DEFAULT_MULTIPLIER,
            true => self.multiplier,
            false => MIN_MULTIPLIER,
        };
        self.position = self.placement();
        self.leave_free_mode();
    }

    /// The Custom W and H inputs: chooses Custom with this shape (the fields refuse what is not
    /// a positive number before it gets here; anything else is kept as 0, which
    /// [`Framing::ratios`] explains).
    pub fn set_custom(&mut self, width: f64, height: f64, original: Option<Size>) {
        let usable = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
        self.custom = Aspect::new(usable(width), usable(height));
        self.choose_preset(AspectPreset::Custom, original);
    }

    /// The "Canvas area" slider (kept in 1–3). Hand-set sides are not thrown away: their shape
    /// becomes a Custom one and their placement is kept, at the new area.
    pub fn set_multiplier(&mut self, original: Option<Size>, multiplier: f64) {
        if let (Some(free), Some(size)) = (self.free, original) {
            let canvas = free.canvas(size);
            self.custom = Aspect::new(f64::from(canvas.width), f64::from(canvas.height));
            self.preset = AspectPreset::Custom;
            self.position = free.position();
            self.leave_free_mode();
        }
        if multiplier.is_finite() {
            self.multiplier = multiplier.clamp(MIN_MULTIPLIER, MAX_MULTIPLIER);
        }
    }

    /// Moves the picture in its frame. The frame keeps its size: with hand-set sides, their
    /// margins are shared anew.
    pub fn place(&mut self, original: Option<Size>, at: Position) {
        let at = at.clamped();
        self.position = at;
        if let (Some(free), Some(size)) = (self.free, original) {
            self.free = Some(free.placed(at, size));
        }
        self.capped = None;
    }

    /// Free mode: sets one side to `value` through the core's rule (4 decimals, at most 2, and
    /// the canvas at most 3× the area with the other sides unchanged). Starts from what is
    /// shown; the other three sides do not move. Remembers whether the value was capped.
    pub fn edit_side(&mut self, original: Size, side: Side, value: f64) {
        let edit = geometry::set_side(self.shown(original), side, value);
        self.free = Some(edit.ratios);
        self.capped = edit.capped;
    }

    /// Moves one side by `delta` (an arrow key), never below 0.
    pub fn step_side(&mut self, original: Size, side: Side, delta: f64) {
        let value = (self.shown(original).get(side) + delta).max(0.0);
        self.edit_side(original, side, value);
    }

    /// The most this side can be with the other three as shown.
    pub fn side_max(&self, original: Size, side: Side) -> f64 {
        geometry::max_side(self.shown(original), side)
    }

    /// Makes a value read back from storage safe to use: a multiplier in range, a custom aspect
    /// of finite numbers, a position inside the frame, free sides inside every limit.
    pub fn restored(mut self) -> Framing {
        if !self.multiplier.is_finite() {
            self.multiplier = DEFAULT_MULTIPLIER;
        }
        self.multiplier = self.multiplier.clamp(MIN_MULTIPLIER, MAX_MULTIPLIER);
        if !(self.custom.width.is_finite() && self.custom.height.is_finite()) {
            self.custom = Framing::default().custom;
        }
        self.position = self.position.clamped();
        self.free = self.free.map(|free| free.quantized());
        self.capped = None;
        self
    }

    fn leave_free_mode(&mut self) {
        self.free = None;
        self.capped = None;
    }
}

/// The framings Undo and Redo go back and forth between.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FramingHistory {
    past: Vec<Framing>,
    future: Vec<Framing>,
}

impl FramingHistory {
    /// Remembers `before`, the framing an edit replaced; a new edit ends what Redo could bring back.
    pub fn record(&mut self, before: Framing) {
        if self.past.last() != Some(&before) {
            self.past.push(before);
            if self.past.len() > HISTORY_DEPTH {
                self.past.remove(0);
            }
        }
        self.future.clear();
    }

    /// The framing before `current`, if any (and `current` becomes redoable).
    pub fn undo(&mut self, current: Framing) -> Option<Framing> {
        // A drag that moved nothing left its start behind: it is no step back.
        while let Some(back) = self.past.pop() {
            if back != current {
                self.future.push(current);
                return Some(back);
            }
        }
        None
    }

    /// The framing Undo left, if any.
    pub fn redo(&mut self, current: Framing) -> Option<Framing> {
        let forward = self.future.pop()?;
        self.past.push(current);
        Some(forward)
    }

    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
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
    const LANDSCAPE: Size = Size {
        width: 1800,
        height: 1200,
    };
    const PORTRAIT: Size = Size {
        width: 1200,
        height: 1800,
    };

    fn canvas(framing: &Framing, original: Size) -> Size {
        framing.ratios(original).unwrap().canvas(original).size()
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
    fn a_preset_gives_the_smallest_canvas_of_its_shape_whatever_the_area_was() {
        for original in [LANDSCAPE, PORTRAIT, PHOTO] {
            for preset in AspectPreset::ALL {
                let mut framing = Framing::default();
                framing.set_multiplier(Some(original), 1.3);
                framing.choose_preset(preset, Some(original));
                let Ok(ratios) = framing.ratios(original) else {
                    // Only 21:9 around a tall picture is beyond 3×, and it says so.
                    let refusal = framing.ratios(original).unwrap_err();
                    assert_eq!(refusal.blocked_by, Limit::MaxArea, "{}", preset.label());
                    continue;
                };
                let wanted = framing.aspect(original).value();
                let got = ratios.canvas(original).aspect();
                assert!(
                    (got / wanted - 1.0).abs() <= ASPECT_TOLERANCE,
                    "{}: {got} for {wanted}",
                    preset.label()
                );
                if framing.multiplier == MIN_MULTIPLIER {
                    // Smallest: one dimension does not grow.
                    let c = ratios.canvas(original);
                    assert!(
                        c.width == original.width || c.height == original.height,
                        "{} on {original}: {c:?}",
                        preset.label()
                    );
                }
            }
        }
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Tall9x16, Some(LANDSCAPE));
        assert_eq!(canvas(&framing, LANDSCAPE), Size::new(1800, 3200));
        framing.choose_preset(AspectPreset::Portrait2x3, Some(LANDSCAPE));
        assert_eq!(canvas(&framing, LANDSCAPE), Size::new(1800, 2700));
        framing.choose_preset(AspectPreset::Wide16x9, Some(PORTRAIT));
        assert_eq!(canvas(&framing, PORTRAIT), Size::new(3200, 1800));
    }

    #[test]
    fn more_room_never_makes_a_preset_fail() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Tall9x16, Some(LANDSCAPE));
        for asked in [1.0, 1.5, 2.0, 2.5, 3.0] {
            framing.set_multiplier(Some(LANDSCAPE), asked);
            let area = framing.area(Some(LANDSCAPE));
            // The smallest 9:16 canvas around 3:2 is 2.67× its area.
            assert!((2.666..=3.0).contains(&area), "{asked}: {area}");
            assert!(framing.ratios(LANDSCAPE).is_ok(), "{asked}");
        }
        framing.choose_preset(AspectPreset::Original, Some(LANDSCAPE));
        framing.set_multiplier(Some(LANDSCAPE), 2.5);
        assert!((framing.area(Some(LANDSCAPE)) - 2.5).abs() < 0.01);
    }

    #[test]
    fn original_starts_at_twice_the_area_and_centred() {
        let ratios = Framing::default().ratios(PHOTO).unwrap();
        assert!((ratios.left - ratios.up).abs() < 1e-3, "{ratios:?}");
        assert_eq!(ratios.left, ratios.right);
        assert_eq!(ratios.up, ratios.down);
        assert!((ratios.area_factor() - 2.0).abs() < 0.01);
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Square, Some(PHOTO));
        framing.choose_preset(AspectPreset::Original, Some(PHOTO));
        assert_eq!(
            framing.multiplier, DEFAULT_MULTIPLIER,
            "not the picture itself"
        );
        // The picture's own shape by another name gets room too.
        framing.choose_preset(AspectPreset::Square, Some(PHOTO));
        framing.choose_preset(AspectPreset::Landscape4x3, Some(PHOTO));
        assert!(framing.ratios(PHOTO).unwrap().area_factor() > 1.9);
    }

    #[test]
    fn an_aspect_out_of_reach_is_refused_with_the_exact_limit() {
        let tall = Size::new(540, 960);
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Cinema21x9, Some(tall));
        let refusal = framing.ratios(tall).unwrap_err();
        assert_eq!(refusal.blocked_by, Limit::MaxArea);
        let text = refusal.to_string();
        assert!(text.contains("×4.15 its area, 1.15 over"), "{text}");
        let nearest = refusal.nearest.unwrap();
        framing.apply(Some(tall), Edit::Custom(nearest));
        assert_eq!(framing.preset, AspectPreset::Custom);
        assert!(framing.ratios(tall).is_ok());
    }

    #[test]
    fn positions_put_the_growth_away_from_the_picture() {
        let mut framing = Framing::default();
        framing.choose_preset(AspectPreset::Wide16x9, Some(PHOTO));
        framing.place(Some(PHOTO), Anchor::Left.position());
        let r = framing.ratios(PHOTO).unwrap();
        assert_eq!(r.left, 0.0);
        assert!(r.right > 0.0);
        framing.place(Some(PHOTO), Position { x: 0.25, y: 0.5 });
        let r = framing.ratios(PHOTO).unwrap();
        assert!((r.left * 3.0 - r.right).abs() < 0.001, "{r:?}");
        framing.place(Some(PHOTO), Anchor::BottomRight.position());
        let r = framing.ratios(PHOTO).unwrap();
        assert_eq!((r.down, r.right), (0.0, 0.0));
    }

    #[test]
    fn anchor_names_differ_from_the_side_fields() {
        for anchor in Anchor::ALL {
            for side in Side::ALL {
                assert_ne!(anchor_label(anchor), side_label(side));
            }
        }
        assert_eq!(anchor_label(Anchor::Left), "Centre left");
    }

    #[test]
    fn hand_set_sides_survive_the_area_and_the_anchor() {
        let mut framing = Framing::default();
        framing.edit_side(PHOTO, Side::Up, 0.5);
        framing.edit_side(PHOTO, Side::Left, 0.1);
        framing.edit_side(PHOTO, Side::Right, 0.3);
        framing.edit_side(PHOTO, Side::Down, 0.0);
        let hand_set = framing.ratios(PHOTO).unwrap();
        let shape = hand_set.canvas(PHOTO).aspect();
        // An anchor moves the picture in the same canvas.
        framing.place(Some(PHOTO), Anchor::Center.position());
        let moved = framing.ratios(PHOTO).unwrap();
        assert_eq!(moved.canvas(PHOTO).size(), hand_set.canvas(PHOTO).size());
        assert_eq!(
            (moved.up, moved.down, moved.left, moved.right),
            (0.25, 0.25, 0.2, 0.2)
        );
        // The area keeps the shape and the placement.
        framing.set_multiplier(Some(PHOTO), 2.5);
        let bigger = framing.ratios(PHOTO).unwrap();
        assert!((bigger.canvas(PHOTO).aspect() / shape - 1.0).abs() < 0.005);
        assert!((bigger.area_factor() - 2.5).abs() < 0.01, "{bigger:?}");
        assert!((bigger.left - bigger.right).abs() < 0.001);
    }

    #[test]
    fn a_free_edit_moves_only_that_side_and_a_cap_says_so_in_pixels() {
        let mut framing = Framing::default();
        let before = framing.ratios(PHOTO).unwrap();
        framing.edit_side(PHOTO, Side::Up, 0.3);
        assert_eq!(framing.ratios(PHOTO).unwrap(), before.with(Side::Up, 0.3));
        framing.edit_side(PHOTO, Side::Up, 5.0);
        let cap = framing.capped.expect("capped");
        assert_eq!(cap.reason, CapReason::MaxArea);
        let note = cap_note(&Strings::english(), &cap, PHOTO.height);
        let px = (cap.set_to * 480.0).round();
        assert_eq!(
            note,
            format!(
                "At most {px} px: the canvas may be at most 3× the picture's area. Reduce \
                 another side to go further."
            )
        );
        let mut framing = Framing {
            free: Some(Ratios::ZERO),
            ..Framing::default()
        };
        framing.edit_side(PHOTO, Side::Left, 2.5);
        assert_eq!(
            cap_note(&Strings::english(), &framing.capped.unwrap(), PHOTO.width),
            "At most 1280 px: one side may add at most 2× the picture's width."
        );
    }

    #[test]
    fn typed_values_that_are_not_pixels_or_shapes_are_refused_with_a_reason() {
        assert_eq!(typed_pixels(120.0), Ok(120));
        assert_eq!(typed_pixels(0.0), Ok(0));
        assert!(typed_pixels(-3.0).unwrap_err().contains("negative"));
        assert!(typed_pixels(f64::NAN).is_err());
        assert!(typed_pixels(1.5).unwrap_err().contains("whole"));
        assert_eq!(typed_shape_side(4.0), Ok(4.0));
        for bad in [0.0, -3.0, f64::NAN] {
            assert!(typed_shape_side(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn corners_set_two_sides_at_once() {
        let mut framing = Framing::default();
        let before = framing.ratios(PHOTO).unwrap();
        framing.apply(Some(PHOTO), Edit::Sides([Some(0.4), None, None, Some(0.2)]));
        let after = framing.ratios(PHOTO).unwrap();
        assert_eq!(after, before.with(Side::Up, 0.4).with(Side::Right, 0.2));
        let untouched = framing;
        framing.apply(None, Edit::Sides([Some(0.1), None, None, None]));
        assert_eq!(
            framing, untouched,
            "a side needs a picture to be measured against"
        );
    }

    #[test]
    fn undo_brings_back_hand_set_sides_and_redo_goes_forward() {
        let mut history = FramingHistory::default();
        let mut framing = Framing::default();
        assert!(!history.can_undo());
        history.record(framing);
        framing.edit_side(PHOTO, Side::Up, 0.4);
        let hand_set = framing;
        history.record(framing);
        framing.apply(Some(PHOTO), Edit::Preset(AspectPreset::Square));
        framing = history.undo(framing).unwrap();
        assert_eq!(framing, hand_set);
        assert!(history.can_redo());
        framing = history.redo(framing).unwrap();
        assert_eq!(framing.preset, AspectPreset::Square);
        framing = history.undo(framing).unwrap();
        framing = history.undo(framing).unwrap();
        assert_eq!(framing, Framing::default());
        assert_eq!(history.undo(framing), None);
        history.record(framing);
        assert!(!history.can_redo(), "a new edit ends the redo");
        framing.apply(Some(PHOTO), Edit::Reset);
        assert_eq!(framing, Framing::default());
    }

    #[test]
    fn restored_values_are_made_safe() {
        let stored = Framing {
            multiplier: 7.5,
            custom: Aspect::new(f64::INFINITY, 1.0),
            position: Position {
                x: 4.0,
                y: f64::NAN,
            },
            free: Some(Ratios::new(-1.0, 2.5, 1.0, 1.0)),
            ..Framing::default()
        };
        let safe = stored.restored();
        assert_eq!(safe.multiplier, MAX_MULTIPLIER);
        assert_eq!(safe.custom, Framing::default().custom);
        assert_eq!(safe.position, Position { x: 1.0, y: 0.5 });
        assert!(safe.free.unwrap().check().is_ok());
    }
}
