//! The pure core of kling-expand: everything that needs no browser and no network.
