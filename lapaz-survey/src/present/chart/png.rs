//! A small PNG encoder for 8-bit RGB images.
//!
//! Charts need only this one image format, and the crate already depends on
//! `flate2` (zlib) and `crc32fast` through `zip`; encoding here saves six
//! crates and a few CPU-seconds of every build compared with the `png`
//! crate. Each row gets the PNG filter (None, Sub, Up or Paeth) with the
//! smallest sum of absolute differences, libpng's heuristic. The output is
//! checked against the `png` crate's decoder in the tests.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::PlotError;

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // PNG chunks are far below 4 GiB here (a few MB at most).
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
    let p = ia + ib - ic;
    let (pa, pb, pc) = ((p - ia).abs(), (p - ib).abs(), (p - ic).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Filters one row with each filter type and appends the best one (its
/// type byte then the filtered bytes) to `out`.
fn filter_row(row: &[u8], prev: &[u8], bpp: usize, out: &mut Vec<u8>, scratch: &mut [Vec<u8>; 4]) {
    for (kind, buf) in scratch.iter_mut().enumerate() {
        buf.clear();
        for (i, &x) in row.iter().enumerate() {
            let a = if i >= bpp { row[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            buf.push(match kind {
                0 => x,
                1 => x.wrapping_sub(a),
                2 => x.wrapping_sub(b),
                _ => x.wrapping_sub(paeth(a, b, c)),
            });
        }
    }
    let cost = |buf: &Vec<u8>| -> u64 {
        buf.iter()
            .map(|&v| u64::from((v as i8).unsigned_abs()))
            .sum()
    };
    let (best, _) = scratch
        .iter()
        .enumerate()
        .map(|(k, buf)| (k, cost(buf)))
        .min_by_key(|&(_, c)| c)
        .unwrap_or((0, 0));
    // Filter type codes: 0 None, 1 Sub, 2 Up, 4 Paeth.
    out.push(if best == 3 { 4 } else { best as u8 });
    out.extend_from_slice(&scratch[best]);
}

/// Encodes `rgb` (`width × height × 3` bytes, rows top to bottom) as PNG,
/// declaring `dpi` dots per inch.
pub(crate) fn encode_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    dpi: f64,
) -> Result<Vec<u8>, PlotError> {
    let stride = width as usize * 3;
    if width == 0 || height == 0 || rgb.len() != stride * height as usize {
        return Err(PlotError::Png(format!(
            "tamaño de imagen inválido: {width} × {height} con {} bytes",
            rgb.len()
        )));
    }
    let mut raw = Vec::with_capacity(rgb.len() + height as usize);
    let zero = vec![0u8; stride];
    let mut scratch: [Vec<u8>; 4] = Default::default();
    for y in 0..height as usize {
        let row = &rgb[y * stride..(y + 1) * stride];
        let prev = if y == 0 {
            &zero[..]
        } else {
            &rgb[(y - 1) * stride..y * stride]
        };
        filter_row(row, prev, 3, &mut raw, &mut scratch);
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&raw)
        .map_err(|e| PlotError::Png(e.to_string()))?;
    let idat = z.finish().map_err(|e| PlotError::Png(e.to_string()))?;

    let mut out = Vec::with_capacity(idat.len() + 128);
    out.extend_from_slice(SIGNATURE);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // Physical pixel size in pixels per metre (unit 1).
    let ppm = (dpi / 0.0254).round() as u32;
    let mut phys = Vec::with_capacity(9);
    phys.extend_from_slice(&ppm.to_be_bytes());
    phys.extend_from_slice(&ppm.to_be_bytes());
    phys.push(1);
    chunk(&mut out, b"pHYs", &phys);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("valid PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("valid PNG data");
        assert_eq!(info.color_type, ::png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn round_trips_through_an_independent_decoder() -> Result<(), PlotError> {
        // A gradient, flat areas and noise exercise every filter.
        let (w, h) = (37u32, 23u32);
        let mut rgb = Vec::new();
        let mut seed = 12345u32;
        for y in 0..h {
            for x in 0..w {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let noise = (seed >> 16) as u8;
                let px = match (x / 10, y / 8) {
                    (0, _) => [255, 255, 255],
                    (1, _) => [(x * 7) as u8, (y * 11) as u8, 128],
                    (2, 0) => [noise, noise / 2, 255 - noise],
                    _ => [0, 114, 178],
                };
                rgb.extend_from_slice(&px);
            }
        }
        let png = encode_rgb(&rgb, w, h, 144.0)?;
        let (dw, dh, pixels) = decode(&png);
        assert_eq!((dw, dh), (w, h));
        assert_eq!(pixels, rgb);
        Ok(())
    }

    #[test]
    fn rejects_a_wrong_buffer_size() {
        assert!(encode_rgb(&[0; 5], 2, 1, 72.0).is_err());
        assert!(encode_rgb(&[], 0, 0, 72.0).is_err());
    }
}
