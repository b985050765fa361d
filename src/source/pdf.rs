//! PDF pages: kinds from the content streams, text layers, and image rasters without rendering.

use std::sync::Arc;

use super::{Document, Limits, PageImage, SourceError};

pub(crate) struct PdfImageRef {
    pub doc: Arc<lopdf::Document>,
    pub id: lopdf::ObjectId,
}

pub(crate) fn open(_bytes: Arc<[u8]>, _limits: &Limits) -> Result<Document, SourceError> {
    Err(SourceError::UnsupportedEncoding("pdf".into()))
}

pub(crate) fn decode_image(_src: &PdfImageRef, _limits: &Limits) -> Result<PageImage, SourceError> {
    Err(SourceError::NoRaster)
}
