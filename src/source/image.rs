//! Raster image files: TIFF (every page), PNG and JPEG.

use std::sync::Arc;

use super::{Document, Format, Limits, PageImage, SourceError};

pub(crate) struct FrameRef {
    pub data: Arc<[u8]>,
    pub format: Format,
    pub index: u32,
}

pub(crate) fn open(
    _bytes: Arc<[u8]>,
    _format: Format,
    _limits: &Limits,
) -> Result<Document, SourceError> {
    Err(SourceError::UnsupportedFormat)
}

pub(crate) fn decode_frame(_src: &FrameRef, _limits: &Limits) -> Result<PageImage, SourceError> {
    Err(SourceError::NoRaster)
}
