//! `s3scope image`: a sampled plane of an image, read with range requests:
//! JSON values, a PNG quick-look, or a character picture.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use serde_json::{Value as Json, json};

use super::Session;
use super::fits_object::{FitsObject, HduArg};
use super::output::write_stdout;
use crate::error::AppError;
use crate::fits::image::quicklook::Quicklook;
use crate::fits::image::read::{ImageData, read_samples};
use crate::fits::image::sample::Grid;
use crate::fits::image::scale::{Interval, Stretch, zscale};
use crate::fits::scanner::Stop;
use crate::s3::{Clients, S3Uri};

#[derive(Debug, Clone, Args)]
pub struct ImageArgs {
    /// One JSON object: shape, stride, the sampled values, zscale limits, cost
    #[arg(long)]
    pub json: bool,
    /// The image HDU: its number or EXTNAME [default: the first image with data]
    #[arg(long, value_name = "N|NAME")]
    pub hdu: Option<HduArg>,
    /// At most this many samples across and down
    #[arg(long, value_name = "WxH", default_value = "64x64", value_parser = parse_size)]
    pub max: (u64, u64),
    /// The plane of a cube (axes beyond the second, flattened)
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub plane: u64,
    /// Also write the quick-look as a PNG (grey, zscale unless --interval says otherwise)
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Limits of the quick-look: zscale, minmax or 99.5
    #[arg(long, value_name = "NAME", default_value = "zscale", value_parser = parse_interval)]
    pub interval: Interval,
    /// Stretch of the quick-look: linear, sqrt or asinh
    #[arg(long, value_name = "NAME", default_value = "linear", value_parser = parse_stretch)]
    pub stretch: Stretch,
    /// s3://bucket/key of a FITS file
    pub uri: String,
}

fn parse_size(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{text:?} is not a size like 64x64");
    let (w, h) =
        text.to_ascii_lowercase().split_once('x').map(|(w, h)| (w.to_string(), h.to_string())).ok_or_else(bad)?;
    let (w, h) = (w.trim().parse::<u64>().map_err(|_| bad())?, h.trim().parse::<u64>().map_err(|_| bad())?);
    if w == 0 || h == 0 || w > 10_000 || h > 10_000 {
        return Err(format!("{text:?}: each side must be 1 to 10000"));
    }
    Ok((w, h))
}

fn parse_interval(text: &str) -> Result<Interval, String> {
    match text.to_ascii_lowercase().as_str() {
        "zscale" => Ok(Interval::ZScale),
        "minmax" => Ok(Interval::MinMax),
        "99.5" | "99.5%" | "percentile" => Ok(Interval::Percentile99_5),
        _ => Err(format!("{text:?} is not zscale, minmax or 99.5")),
    }
}

fn parse_stretch(text: &str) -> Result<Stretch, String> {
    match text.to_ascii_lowercase().as_str() {
        "linear" => Ok(Stretch::Linear),
        "sqrt" => Ok(Stretch::Sqrt),
        "asinh" => Ok(Stretch::Asinh),
        _ => Err(format!("{text:?} is not linear, sqrt or asinh")),
    }
}

pub async fn run(args: &ImageArgs, session: &Session) -> Result<(), AppError> {
    let uri = S3Uri::parse(&args.uri)?;
    let clients = Clients::new(&session.connect, session.catalog().clone()).await?;
    let mut object = FitsObject::open(&uri, &clients, args.hdu.as_ref(), Stop::AtFirstImage).await?;
    let context = || format!("reading HDU {} of {uri} as an image", object.hdu.index);
    let data = ImageData::from_hdu(&object.hdu).map_err(|why| AppError::input(context(), why))?;
    let grid =
        Grid::new(data.axes(), args.max.0, args.max.1, args.plane).map_err(|why| AppError::input(context(), why))?;
    let options = object.stream_options();
    let samples = read_samples(&mut object.source, &object.hdu, &data, &grid, options)
        .await
        .map_err(|e| object.data_error("reading pixels", e))?;
    let look = Quicklook::new(&samples.values, args.interval, args.stretch);
    if let Some(path) = &args.png {
        write_png(path, &look).map_err(|why| AppError::runtime(format!("writing {}", path.display()), why))?;
    }
    write_stdout(|out| {
        if args.json {
            let document = document(&object, &grid, &samples.values, samples.integral);
            writeln!(out, "{document}")
        } else {
            write_picture(out, &object, &grid, &look, args)
        }
    })
}

/// The `image --json` object.
fn document(object: &FitsObject, grid: &Grid, values: &[Vec<f64>], integral: bool) -> Json {
    let number = |v: f64| -> Json {
        if !v.is_finite() {
            Json::Null
        } else if integral && v.abs() < 9.0e15 {
            json!(v as i64)
        } else {
            serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
        }
    };
    let rows: Vec<Json> = values.iter().map(|row| Json::Array(row.iter().map(|&v| number(v)).collect())).collect();
    let data =
        if grid.shape.len() == 1 { rows.into_iter().next().unwrap_or(Json::Array(vec![])) } else { Json::Array(rows) };
    let finite: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    json!({
        "hdu": object.hdu.index,
        "shape": grid.shape,
        "stride": grid.stride,
        "plane": grid.plane,
        "data": data,
        "zscale": zscale(&finite).map(|(lo, hi)| json!([lo, hi])),
        "requests": object.source.requests,
        "bytes_read": object.source.bytes_read,
    })
}

fn write_png(path: &std::path::Path, look: &Quicklook) -> Result<(), String> {
    let picture = image::GrayImage::from_raw(look.width as u32, look.height as u32, look.grey.clone())
        .ok_or("the quick-look has no pixels")?;
    picture.save_with_format(path, image::ImageFormat::Png).map_err(|e| e.to_string())
}

/// A character picture for a terminal: ten grey levels, two rows of samples a line.
fn write_picture(
    out: &mut impl Write,
    object: &FitsObject,
    grid: &Grid,
    look: &Quicklook,
    args: &ImageArgs,
) -> io::Result<()> {
    const RAMP: &[u8] = b" .:-=+*#%@";
    for pair in look.grey.chunks(look.width.max(1) * 2) {
        let (top, bottom) = pair.split_at(look.width.min(pair.len()));
        let line: String = (0..look.width)
            .map(|x| {
                let level = (top[x] as u16 + bottom.get(x).copied().unwrap_or(top[x]) as u16) / 2;
                RAMP[(level as usize * (RAMP.len() - 1) + 127) / 255] as char
            })
            .collect();
        writeln!(out, "{}", line.trim_end())?;
    }
    let limits = look.limits.map_or("no finite value".to_string(), |(lo, hi)| format!("{lo:.6} to {hi:.6}"));
    writeln!(
        out,
        "# HDU {}: shape {:?}, stride {:?}, plane {}; {} {}: {limits}; {} requests, {} bytes read",
        object.hdu.index,
        grid.shape,
        grid.stride,
        grid.plane,
        args.interval,
        args.stretch,
        object.source.requests,
        object.source.bytes_read
    )
}
