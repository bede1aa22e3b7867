//! kling-expand: a Leptos widget that expands a picture beyond its borders.
