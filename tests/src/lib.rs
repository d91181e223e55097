//! Test support for rawbox: the single-step suite runner library and shared helpers.
