//! What a host page sets: where the widget sends its requests, its language and theme, and the
//! framing and number of images it starts with. The same options come from a
//! `[data-kling-expand]` element's `data-*` attributes, from a `<kling-expand>` element's
//! attributes, and from `mount()`'s object.

use core::fmt;

use kling_expand_core::dialect::Dialect;
use kling_expand_core::geometry::{Anchor, Aspect};
use kling_expand_core::limits::{MAX_N, MIN_N};

use crate::model::framing::{AspectPreset, Edit, MAX_MULTIPLIER, MIN_MULTIPLIER};

/// The API base the widget talks to when the host element names none: the proxy's route.
pub const DEFAULT_ENDPOINT: &str = "/api/kling";

/// The colour scheme a host asks for: `auto` follows `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::Auto];

    pub const fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// The widget's configuration: where requests go and how the widget speaks and looks.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetConfig {
    /// Base URL of the proxy (absolute, or relative to the page), without a trailing slash.
    pub endpoint: String,
    /// Which provider's paths and shapes the endpoint speaks.
    pub dialect: Dialect,
    /// The language the host asked for (a BCP 47 tag such as `zh-CN`); `None`: the browser's.
    pub locale: Option<String>,
    pub theme: Theme,
    /// The host element, which gives the access token (`getToken` or `data-token`) and receives
    /// the widget's events.
    pub host: Option<web_sys::Element>,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        Self {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            dialect: Dialect::Kling,
            locale: None,
            theme: Theme::Auto,
            host: None,
        }
    }
}

impl WidgetConfig {
    /// The URL of a path of the dialect (such as its create path) under the endpoint.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.endpoint, path)
    }
}

/// The options as the host page gave them, each as text (attributes are text; the module turns
/// `mount()`'s numbers into text before they cross into the wasm). Missing or blank: the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub endpoint: Option<String>,
    pub dialect: Option<String>,
    pub locale: Option<String>,
    pub theme: Option<String>,
    pub aspect: Option<String>,
    pub area: Option<String>,
    pub anchor: Option<String>,
    pub images: Option<String>,
}

impl Options {
    /// Each option looked up by its name (in `data-*` attributes, in `mount()`'s object),
    /// stopping at the first lookup that fails. These are the option names; `SCALARS` in
    /// `browser/embed.js` (the custom element's attributes) lists the same.
    pub fn by_name<E>(
        mut given: impl FnMut(&'static str) -> Result<Option<String>, E>,
    ) -> Result<Self, E> {
        Ok(Options {
            endpoint: given("endpoint")?,
            dialect: given("dialect")?,
            locale: given("locale")?,
            theme: given("theme")?,
            aspect: given("aspect")?,
            area: given("area")?,
            anchor: given("anchor")?,
            images: given("images")?,
        })
    }
}

/// The options understood. `None` for the framing and the number of images: the widget's own
/// starting values (and whatever the person chooses).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub endpoint: String,
    pub dialect: Dialect,
    pub locale: Option<String>,
    pub theme: Theme,
    /// The aspect as a framing edit: a preset, or a custom W:H.
    pub aspect: Option<Edit>,
    /// The canvas area, as a multiple of the picture's (1 to 3).
    pub area: Option<f64>,
    pub anchor: Option<Anchor>,
    pub images: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        let config = WidgetConfig::default();
        Self {
            endpoint: config.endpoint,
            dialect: config.dialect,
            locale: None,
            theme: config.theme,
            aspect: None,
            area: None,
            anchor: None,
            images: None,
        }
    }
}

impl Settings {
    /// The configuration these settings give a widget on `host`.
    pub fn config(&self, host: Option<web_sys::Element>) -> WidgetConfig {
        WidgetConfig {
            endpoint: self.endpoint.clone(),
            dialect: self.dialect,
            locale: self.locale.clone(),
            theme: self.theme,
            host,
        }
    }
}

/// An option that was given a value it does not accept.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionError {
    pub option: &'static str,
    /// What it accepts, in words.
    pub accepts: String,
    pub given: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kling-expand: the option \"{}\" accepts {}; it was given \"{}\".",
            self.option, self.accepts, self.given
        )
    }
}

impl Options {
    /// Every option read, each wrong one left at its default and said.
    pub fn read(&self) -> (Settings, Vec<OptionError>) {
        let mut settings = Settings::default();
        let mut errors = Vec::new();
        if let Some(endpoint) = given(&self.endpoint) {
            // "/" (the API at the page's root) leaves "", to which the paths are appended.
            settings.endpoint = endpoint.trim_end_matches('/').to_owned();
        }
        let mut check = |result: Result<(), OptionError>| {
            if let Err(error) = result {
                errors.push(error);
            }
        };
        if let Some(word) = given(&self.dialect) {
            check(match word.parse::<Dialect>() {
                Ok(dialect) => {
                    settings.dialect = dialect;
                    Ok(())
                }
                Err(_) => Err(wrong(
                    "dialect",
                    &one_of(Dialect::ALL.map(|d| d.as_str())),
                    word,
                )),
            });
        }
        if let Some(tag) = given(&self.locale) {
            let fits = tag.len() <= 35
                && tag.split('-').all(|part| {
                    !part.is_empty()
                        && part.len() <= 8
                        && part.bytes().all(|b| b.is_ascii_alphanumeric())
                });
            check(match fits {
                true => {
                    settings.locale = Some(tag.to_owned());
                    Ok(())
                }
                false => Err(wrong(
                    "locale",
                    "a language tag such as \"en\" or \"zh-CN\"",
                    tag,
                )),
            });
        }
        if let Some(word) = given(&self.theme) {
            check(
                match Theme::ALL
                    .into_iter()
                    .find(|t| t.as_str().eq_ignore_ascii_case(word))
                {
                    Some(theme) => {
                        settings.theme = theme;
                        Ok(())
                    }
                    None => Err(wrong("theme", &one_of(Theme::ALL.map(Theme::as_str)), word)),
                },
            );
        }
        if let Some(word) = given(&self.aspect) {
            check(match aspect_edit(word) {
                Some(edit) => {
                    settings.aspect = Some(edit);
                    Ok(())
                }
                None => Err(wrong(
                    "aspect",
                    &format!(
                        "{} or a shape W:H such as \"5:4\"",
                        one_of(AspectPreset::ALL.map(|p| match p {
                            AspectPreset::Custom => "",
                            other => other.label(),
                        }))
                    ),
                    word,
                )),
            });
        }
        if let Some(text) = given(&self.area) {
            check(match decimal(text) {
                Some(area) if (MIN_MULTIPLIER..=MAX_MULTIPLIER).contains(&area) => {
                    settings.area = Some(area);
                    Ok(())
                }
                _ => Err(wrong(
                    "area",
                    "a number from 1 to 3 (the canvas area as a multiple of the picture's)",
                    text,
                )),
            });
        }
        if let Some(word) = given(&self.anchor) {
            check(match word.parse::<Anchor>() {
                Ok(anchor) => {
                    settings.anchor = Some(anchor);
                    Ok(())
                }
                Err(_) => Err(wrong(
                    "anchor",
                    &one_of(Anchor::ALL.map(|a| a.as_str())),
                    word,
                )),
            });
        }
        if let Some(text) = given(&self.images) {
            check(match text.parse::<u32>() {
                Ok(n) if (u32::from(MIN_N)..=u32::from(MAX_N)).contains(&n) => {
                    settings.images = Some(n);
                    Ok(())
                }
                _ => Err(wrong(
                    "images",
                    &format!("a whole number from {MIN_N} to {MAX_N}"),
                    text,
                )),
            });
        }
        (settings, errors)
    }

    /// The settings, or the first option that is wrong (nothing is taken then).
    pub fn settings(&self) -> Result<Settings, OptionError> {
        let (settings, mut errors) = self.read();
        match errors.is_empty() {
            true => Ok(settings),
            false => Err(errors.remove(0)),
        }
    }
}

/// A plain decimal number ("2", "2.5", ".5"): read by hand, since `str::parse::<f64>` would add
/// its float parser to the wasm.
fn decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.len() > 9 {
        return None;
    }
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || whole.len() > 9 {
        return None;
    }
    let whole = if whole.is_empty() {
        0
    } else {
        whole.parse::<u32>().ok()?
    };
    let tenths = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<u32>().ok()?
    };
    Some(f64::from(whole) + f64::from(tenths) / 10f64.powi(fraction.len() as i32))
}

/// An option's text, unless missing or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn wrong(option: &'static str, accepts: &str, given: &str) -> OptionError {
    OptionError {
        option,
        accepts: accepts.to_owned(),
        given: given.to_owned(),
    }
}

/// `"a", "b" or "c"` (blank words left out).
fn one_of<const N: usize>(words: [&str; N]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// A preset by its label ("16:9", "original"), or any other W:H as a custom shape.
fn aspect_edit(word: &str) -> Option<Edit> {
    if let Some(preset) = AspectPreset::ALL
        .into_iter()
        .filter(|p| *p != AspectPreset::Custom)
        .find(|p| p.label().eq_ignore_ascii_case(word))
    {
        return Some(Edit::Preset(preset));
    }
    let (w, h) = word.split_once(':')?;
    let (w, h) = (decimal(w.trim())?, decimal(h.trim())?);
    (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then(|| {
        // A shape that is one of the presets is that preset.
        AspectPreset::ALL
            .into_iter()
            .filter(|p| !matches!(p, AspectPreset::Custom | AspectPreset::Original))
            .find(|p| {
                let a = p.aspect(
                    kling_expand_core::geometry::Size::new(1, 1),
                    Aspect::new(w, h),
                );
                (a.width / a.height - w / h).abs() < 1e-9
            })
            .map_or(Edit::Custom(Aspect::new(w, h)), Edit::Preset)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Options {
        let mut options = Options::default();
        for (name, value) in pairs {
            let value = Some((*value).to_owned());
            match *name {
                "endpoint" => options.endpoint = value,
                "dialect" => options.dialect = value,
                "locale" => options.locale = value,
                "theme" => options.theme = value,
                "aspect" => options.aspect = value,
                "area" => options.area = value,
                "anchor" => options.anchor = value,
                "images" => options.images = value,
                other => panic!("no option {other}"),
            }
        }
        options
    }

    #[test]
    fn defaults_to_the_proxy_route_and_the_official_dialect() {
        let settings = Options::default().settings().unwrap();
        let config = settings.config(None);
        assert_eq!(config.endpoint, "/api/kling");
        assert_eq!(config.dialect, Dialect::Kling);
        assert_eq!(config.theme, Theme::Auto);
        assert_eq!(config.locale, None);
        assert_eq!(settings.aspect, None);
        assert_eq!(settings.images, None);
    }

    #[test]
    fn reads_every_option_and_drops_a_trailing_slash() {
        let settings = options(&[
            ("endpoint", "https://example.test/kling/"),
            ("dialect", "modellix"),
            ("locale", "zh-CN"),
            ("theme", "Dark"),
            ("aspect", "16:9"),
            ("area", "2.5"),
            ("anchor", "top-left"),
            ("images", "4"),
        ])
        .settings()
        .unwrap();
        let config = settings.config(None);
        assert_eq!(config.endpoint, "https://example.test/kling");
        assert_eq!(config.dialect, Dialect::Modellix);
        assert_eq!(config.url("/x"), "https://example.test/kling/x");
        assert_eq!(config.locale.as_deref(), Some("zh-CN"));
        assert_eq!(config.theme, Theme::Dark);
        assert_eq!(settings.aspect, Some(Edit::Preset(AspectPreset::Wide16x9)));
        assert_eq!(settings.area, Some(2.5));
        assert_eq!(settings.anchor, Some(Anchor::TopLeft));
        assert_eq!(settings.images, Some(4));
    }

    #[test]
    fn an_aspect_is_a_preset_or_any_shape() {
        let aspect = |word: &str| options(&[("aspect", word)]).settings().unwrap().aspect;
        assert_eq!(
            aspect("original"),
            Some(Edit::Preset(AspectPreset::Original))
        );
        assert_eq!(aspect("32:18"), Some(Edit::Preset(AspectPreset::Wide16x9)));
        assert_eq!(aspect(" 5:4 "), Some(Edit::Custom(Aspect::new(5.0, 4.0))));
        assert!(options(&[("aspect", "custom")]).settings().is_err());
        assert!(options(&[("aspect", "0:4")]).settings().is_err());
    }

    #[test]
    fn a_wrong_option_is_named_with_what_it_accepts() {
        for (name, value, accepts) in [
            ("dialect", "openai", "\"cometapi\""),
            ("theme", "blue", "\"light\", \"dark\" or \"auto\""),
            ("aspect", "17", "\"16:9\""),
            ("area", "3.5", "from 1 to 3"),
            ("area", "big", "from 1 to 3"),
            ("anchor", "middle", "\"top-left\""),
            ("images", "12", "from 1 to 9"),
            ("images", "2.5", "whole number"),
            ("locale", "en_US", "language tag"),
        ] {
            let error = options(&[(name, value)]).settings().unwrap_err();
            let message = error.to_string();
            assert_eq!(error.option, name);
            assert!(message.contains(&format!("\"{name}\"")), "{message}");
            assert!(message.contains(accepts), "{message}");
            assert!(message.contains(value), "{message}");
        }
    }

    #[test]
    fn a_wrong_option_keeps_its_default_and_the_others_are_read() {
        let (settings, errors) = options(&[("dialect", "openai"), ("images", "3")]).read();
        assert_eq!(settings.dialect, Dialect::Kling);
        assert_eq!(settings.images, Some(3));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("openai"));
    }

    #[test]
    fn blank_options_are_defaults() {
        let settings = options(&[("endpoint", " "), ("dialect", ""), ("images", " ")])
            .settings()
            .unwrap();
        assert_eq!(settings, Settings::default());
    }
}
