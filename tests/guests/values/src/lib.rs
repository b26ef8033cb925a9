//! Functions over every kind of component value, for `witpipe call`'s tests.

wit_bindgen::generate!({ path: "../wit", world: "value-kinds" });

use exports::witpipe::probe::values::{Access, Guest, Point, Shape, Sign};

struct Values;

impl Guest for Values {
    fn classify(n: i64) -> Sign {
        match n.signum() {
            -1 => Sign::Negative,
            0 => Sign::Zero,
            _ => Sign::Positive,
        }
    }

    fn divide(a: i32, b: i32) -> Result<i32, String> {
        a.checked_div(b)
            .ok_or_else(|| format!("cannot divide {a} by {b}"))
    }

    fn area(s: Shape) -> f64 {
        match s {
            Shape::Circle(r) => 3.0 * r * r,
            Shape::Rect((w, h)) => w * h,
            Shape::Dot => 0.0,
        }
    }

    fn first(xs: Vec<u32>) -> Option<u32> {
        xs.first().copied()
    }

    fn granted(a: Access) -> Vec<String> {
        [
            (Access::READ, "read"),
            (Access::WRITE, "write"),
            (Access::EXEC, "exec"),
        ]
        .into_iter()
        .filter(|(flag, _)| a.contains(*flag))
        .map(|(_, name)| name.to_string())
        .collect()
    }

    fn mirror(p: Point) -> (Point, char, bool) {
        (Point { x: p.y, y: p.x }, 'ü', p.x == p.y)
    }
}

export!(Values);
