//! The words the widget says, in the visitor's language.
//!
//! [`en`] is the one table of every string a person sees (labels, accessible names, status
//! sentences, errors); English is built in. Another language comes as a locale pack: a JSON
//! object from each English string to its translation, `locales/<tag>.json`, fetched when a
//! widget asks for that locale (see `browser::locale`), so a language costs nothing to the
//! visitors who do not use it. The core's sentences ([`Sentence`]) are translated part by part,
//! the same way. A missing entry says the English.

pub mod en;

use std::sync::Arc;

use kling_expand_core::text::{fill, fixed, Sentence};
use leptos::prelude::use_context;

/// The locales that ship a pack (`locales/<tag>.json`), besides the built-in English.
pub const PACKS: &[&str] = &["zh-CN"];

/// The pack a locale tag asks for: the same tag (any case), else the same language; `None`
/// for English and for languages without a pack.
pub fn pack_for(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    let language = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    PACKS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(&tag.replace('_', "-")))
        .or_else(|| PACKS.iter().find(|p| language(p) == language(tag)))
        .copied()
}

/// Formats a number for a locale (the browser's `Intl.NumberFormat`), with at most the given
/// decimals.
pub type NumberFormat = fn(&str, f64, u32) -> String;

/// One widget's strings: the built-in English, or a locale's pack with the host's own entries
/// over it. Cheap to clone.
#[derive(Clone, Default)]
pub struct Strings(Arc<Table>);

#[derive(Default)]
struct Table {
    /// The BCP 47 tag; empty for the built-in English.
    locale: String,
    /// (English, translation) in the order given; a later entry wins over an earlier one.
    entries: Vec<(String, String)>,
    numbers: Option<NumberFormat>,
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Strings({}, {} entries)",
            self.locale(),
            self.0.entries.len()
        )
    }
}

impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Strings {
    /// The built-in English.
    pub fn english() -> Self {
        Self::default()
    }

    /// A locale's strings from its entries (a pack, then the host's overrides: a later entry
    /// for the same English wins). `numbers` formats numbers for it.
    pub fn new(
        locale: &str,
        entries: Vec<(String, String)>,
        numbers: Option<NumberFormat>,
    ) -> Self {
        Strings(Arc::new(Table {
            locale: locale.to_owned(),
            entries,
            numbers,
        }))
    }

    /// The locale's tag ("en" for the built-in English).
    pub fn locale(&self) -> &str {
        if self.0.locale.is_empty() {
            "en"
        } else {
            &self.0.locale
        }
    }

    /// The translation of `english`, if this locale has one.
    pub fn own(&self, english: &str) -> Option<&str> {
        // A scan from the end, so that a later entry wins: a pack has a few hundred entries and
        // strings are asked for when drawn; sorting them for a binary search cost the bundle
        // 2.8 KB of code.
        self.0
            .entries
            .iter()
            .rev()
            .find(|(key, _)| key == english)
            .map(|(_, own)| own.as_str())
    }

    /// `english` in this locale.
    pub fn get(&self, english: &'static str) -> String {
        self.own(english).unwrap_or(english).to_owned()
    }

    /// A template of the table in this locale, with its `{0}`… filled.
    pub fn fill(&self, template: &'static str, args: &[String]) -> String {
        fill(self.own(template).unwrap_or(template), args)
    }

    /// One of the core's sentences in this locale.
    pub fn say(&self, sentence: &Sentence) -> String {
        sentence.render(|template| self.own(template).map(str::to_owned))
    }

    /// A number for people: the locale's digits and separators; in the built-in English, the
    /// same digits as before (no grouping, at most `decimals` decimals, trailing zeros dropped).
    pub fn number(&self, value: f64, decimals: u32) -> String {
        match self.0.numbers {
            Some(format) if !self.0.locale.is_empty() => format(&self.0.locale, value, decimals),
            _ => {
                let text = fixed(value, decimals);
                if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.').to_owned()
                } else {
                    text
                }
            }
        }
    }
}

impl Strings {
    /// A file size for people: "14.2 MB", "412 KB" (1 MB = 1024 × 1024 bytes, as the limit is
    /// read), with the locale's digits.
    pub fn file_size(&self, bytes: u64) -> String {
        const MB: u64 = 1024 * 1024;
        if self.0.locale.is_empty() || self.0.numbers.is_none() {
            return crate::model::fixups::file_size(bytes);
        }
        if bytes >= MB {
            self.fill(en::MEGABYTES, &[self.number(bytes as f64 / MB as f64, 1)])
        } else {
            self.fill(
                en::KILOBYTES,
                &[self.number(bytes.div_ceil(1024) as f64, 0)],
            )
        }
    }
}

/// The strings of the widget being drawn (English outside a widget, as for a leaf mounted
/// alone).
pub fn strings() -> Strings {
    use_context::<Strings>().unwrap_or_default()
}

/// `english` in the language of the widget being drawn.
pub fn t(english: &'static str) -> String {
    strings().get(english)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_finds_its_pack_or_its_languages() {
        assert_eq!(pack_for("zh-CN"), Some("zh-CN"));
        assert_eq!(pack_for("zh_cn"), Some("zh-CN"));
        assert_eq!(pack_for("zh"), Some("zh-CN"));
        assert_eq!(pack_for("en-US"), None);
        assert_eq!(pack_for("fr"), None);
        assert_eq!(pack_for(""), None);
    }

    #[test]
    fn a_later_entry_wins_and_a_missing_one_says_the_english() {
        let strings = Strings::new(
            "zh-CN",
            vec![
                ("Expand".into(), "扩展".into()),
                ("Cancel".into(), "取消".into()),
                ("Expand".into(), "扩图".into()),
            ],
            None,
        );
        assert_eq!(strings.get("Expand"), "扩图");
        assert_eq!(strings.get("Cancel"), "取消");
        assert_eq!(strings.get("Retry"), "Retry");
        assert_eq!(Strings::english().get("Expand"), "Expand");
        assert_eq!(Strings::english().locale(), "en");
    }

    #[test]
    fn english_numbers_keep_their_digits() {
        let english = Strings::english();
        assert_eq!(english.number(1280.0, 0), "1280");
        assert_eq!(english.number(2.50, 2), "2.5");
        assert_eq!(english.number(0.649_99, 1), "0.6");
    }
}
