//! The wallboard's charts, drawn here as SVG (no script, no styles: plain
//! shapes and presentation attributes, so the page's policy holds): calls
//! per hour of a day, and each queue's service level per hour against its
//! goal.

use std::fmt::Write;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 30.0;
/// Colours with at least 4.5:1 contrast on white.
const PALETTE: [&str; 5] = ["#0b5cad", "#116329", "#8a3a00", "#6b2fa0", "#a40e26"];

/// One series of 24 hourly values (`None`: nothing to show that hour).
pub(crate) struct Series {
    pub name: String,
    pub values: [Option<f64>; 24],
    /// A goal drawn as a dashed line in the series' colour.
    pub goal: Option<f64>,
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&#39;".into(),
            c if c.is_control() => " ".into(),
            c => c.to_string(),
        })
        .collect()
}

fn x_of(hour: f64) -> f64 {
    LEFT + hour * (WIDTH - LEFT - RIGHT) / 24.0
}

fn y_of(value: f64, top: f64) -> f64 {
    let share = if top > 0.0 { (value / top).clamp(0.0, 1.0) } else { 0.0 };
    HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)
}

/// The frame: title, axes, hour labels and the top value.
fn frame(out: &mut String, title: &str, top_label: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"11\">\
         <title>{title}</title><rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\
         <text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2733\">{title}</text>\
         <line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#5b6878\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#5b6878\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#1d2733\">{top}</text>\
         <text x=\"{lx}\" y=\"{b}\" text-anchor=\"end\" fill=\"#1d2733\">0</text>",
        title = escape(title),
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT,
        lx = LEFT - 4.0,
        ty = TOP + 4.0,
        top = escape(top_label),
    );
    for hour in (0..=24).step_by(3) {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1d2733\">{hour:02}</text>",
            x_of(f64::from(hour)),
            HEIGHT - BOTTOM + 14.0
        );
    }
}

fn legend(out: &mut String, names: &[(&str, &str)]) {
    let mut x = WIDTH - RIGHT;
    for (name, colour) in names.iter().rev() {
        let text = escape(name);
        x -= 14.0 + 6.5 * name.chars().count() as f64;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"8\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"17\" fill=\"#1d2733\">{text}</text>",
            x + 13.0
        );
    }
}

/// Side-by-side bars per hour for up to five series of counts.
pub(crate) fn bars(title: &str, series: &[Series]) -> String {
    let series = series.get(..series.len().min(PALETTE.len())).unwrap_or_default();
    let top = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, b| a.max(*b)).max(1.0).ceil();
    let mut out = String::new();
    frame(&mut out, title, &format!("{top}"));
    let slot = (WIDTH - LEFT - RIGHT) / 24.0;
    let width = (slot - 2.0) / series.len().max(1) as f64;
    for (index, (s, colour)) in series.iter().zip(PALETTE).enumerate() {
        for (hour, value) in s.values.iter().enumerate() {
            let Some(value) = value.filter(|v| *v > 0.0) else { continue };
            let (x, y) = (x_of(hour as f64) + 1.0 + width * index as f64, y_of(value, top));
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{hour:02}:00 {}: {value}</title></rect>",
                HEIGHT - BOTTOM - y,
                escape(&s.name)
            );
        }
    }
    legend(&mut out, &series.iter().zip(PALETTE).map(|(s, c)| (s.name.as_str(), c)).collect::<Vec<_>>());
    out.push_str("</svg>");
    out
}

/// Lines of shares (0 to 1) per hour, each with its goal dashed.
pub(crate) fn shares(title: &str, series: &[Series]) -> String {
    shares_up_to(title, series, 1.0)
}

/// Lines of shares per hour on a scale from 0 to `top` (e.g. 0.1 for 10 %).
pub(crate) fn shares_up_to(title: &str, series: &[Series], top: f64) -> String {
    let series = series.get(..series.len().min(PALETTE.len())).unwrap_or_default();
    let mut out = String::new();
    frame(&mut out, title, &format!("{} %", (top * 100.0).round()));
    for (s, colour) in series.iter().zip(PALETTE) {
        if let Some(goal) = s.goal {
            let y = y_of(goal, top);
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/>",
                WIDTH - RIGHT
            );
        }
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(hour, v)| v.map(|v| format!("{:.1},{:.1}", x_of(hour as f64 + 0.5), y_of(v, top))))
            .collect();
        if !points.is_empty() {
            let _ = write!(out, "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>", points.join(" "));
            for point in &points {
                let (x, y) = point.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(out, "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>");
            }
        }
    }
    legend(&mut out, &series.iter().zip(PALETTE).map(|(s, c)| (s.name.as_str(), c)).collect::<Vec<_>>());
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, values: [Option<f64>; 24], goal: Option<f64>) -> Series {
        Series { name: name.into(), values, goal }
    }

    #[test]
    fn bars_are_drawn_to_scale_with_names_escaped() {
        let mut dialled = [None; 24];
        dialled[9] = Some(10.0);
        dialled[10] = Some(5.0);
        let mut answered = [None; 24];
        answered[9] = Some(4.0);
        let svg = bars("Calls <today>", &[series("Dialled", dialled, None), series("A&B", answered, None)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Calls &lt;today&gt;") && svg.contains("A&amp;B") && !svg.contains("<today>"));
        assert_eq!(svg.matches("<rect x=").count(), 3 + 2, "three bars and two legend keys");
        // The tallest bar reaches the top of the plot; the half-height one half way.
        assert!(svg.contains(&format!("y=\"{TOP:.1}\"")), "{svg}");
        assert!(svg.contains(&format!("y=\"{:.1}\"", y_of(5.0, 10.0))));
        assert!(!svg.contains("<script") && !svg.contains("style="));
    }

    #[test]
    fn shares_draw_lines_and_goals() {
        let mut level = [None; 24];
        level[8] = Some(0.9);
        level[9] = Some(0.5);
        let svg = shares("Service level", &[series("Care", level, Some(0.8)), series("Empty", [None; 24], None)]);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("stroke-dasharray") && svg.contains(&format!("y1=\"{:.1}\"", y_of(0.8, 1.0))));
        // On a 10 % scale a 3 % cap sits at 30 % of the height.
        let mut rate = [None; 24];
        rate[10] = Some(0.02);
        let small = shares_up_to("Abandoned", &[series("Spring", rate, Some(0.03))], 0.1);
        assert!(small.contains(">10 %<") && small.contains(&format!("y1=\"{:.1}\"", y_of(0.3, 1.0))), "{small}");
    }
}
