//! Numbers, times and relative times in the person's language, from the browser's `Intl`
//! (`3분 전`, `3 minutes ago`, `1,234`), so no formatting data ships in the `.wasm`.

use js_sys::{Array, Date, Intl, Number, Object, Reflect};
use wasm_bindgen::JsValue;

use super::{messages::Messages, messages_of};
use crate::domain::Language;

/// An `Intl` options object from `(name, value)` pairs.
fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object
}

fn locales(language: Language) -> Array {
    Array::of1(&language.tag().into())
}

/// `n` with the language's digit grouping (`20,000`).
pub fn count(language: Language, n: usize) -> String {
    // Counts shown here are characters and items, far inside f64's exact range.
    #[allow(clippy::cast_precision_loss)]
    let value = n as f64;
    Number::from(value).to_locale_string(language.tag()).into()
}

/// "just now", "3 minutes ago", "2일 전" for an RFC 3339 time, as a person reads a board;
/// past a month, the date.
pub fn relative_time(language: Language, rfc3339: &str) -> String {
    let then = Date::parse(rfc3339);
    if then.is_nan() {
        return rfc3339.to_owned();
    }
    let seconds = ((Date::now() - then) / 1000.0).max(0.0);
    let m: &Messages = messages_of(language);
    let ago = |amount: f64, unit: &str| {
        Intl::RelativeTimeFormat::new(&locales(language), &options(&[("numeric", "always")]))
            .format(-amount.floor(), unit)
            .into()
    };
    match seconds {
        s if s < 60.0 => m.just_now.to_owned(),
        s if s < 3600.0 => ago(s / 60.0, "minute"),
        s if s < 86_400.0 => ago(s / 3600.0, "hour"),
        s if s < 30.0 * 86_400.0 => ago(s / 86_400.0, "day"),
        _ => Date::new(&JsValue::from_f64(then))
            .to_locale_date_string(language.tag(), &options(&[("dateStyle", "medium")]))
            .into(),
    }
}

/// "14:05" / "오후 2:05" for a time today, else the date, in the person's time zone.
pub fn short_time(language: Language, epoch_ms: i64) -> String {
    // Milliseconds since 1970 fit f64 exactly for the next 285,000 years.
    #[allow(clippy::cast_precision_loss)]
    let date = Date::new(&JsValue::from_f64(epoch_ms as f64));
    if date.to_date_string() == Date::new_0().to_date_string() {
        date.to_locale_time_string_with_options(language.tag(), &options(&[("timeStyle", "short")]))
            .into()
    } else {
        date.to_locale_date_string(language.tag(), &options(&[("dateStyle", "medium")]))
            .into()
    }
}
