#include "lever/ops/concat.h"

#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> Concat(const std::vector<BasicVar<T>>& inputs) {
  if (inputs.empty()) throw ShapeError("concat: needs at least one input");
  auto infer = [](const std::vector<Shape>& in) {
    Shape out{in[0].rows, 0};
    for (const Shape& s : in) {
      if (s.rows != out.rows) {
        throw ShapeError("concat: inputs have different row counts: " + in[0].ToString() + " and " + s.ToString());
      }
      out.cols += s.cols;
    }
    return out;
  };
  const int count = static_cast<int>(inputs.size());
  return inputs[0].graph()->AddOp(
      "concat", inputs, infer,
      [count](OpContext<T>& c) {
        Index col = 0;
        for (int i = 0; i < count; ++i) {
          const Index w = c.x_shape(i).cols;
          c.y().middleCols(col, w) = c.x(i);
          col += w;
        }
      },
      [count](OpContext<T>& c) {
        Index col = 0;
        for (int i = 0; i < count; ++i) {
          const Index w = c.x_shape(i).cols;
          if (c.needs_dx(i)) c.dx(i) += c.dy().middleCols(col, w);
          col += w;
        }
      });
}

template BasicVar<float> Concat<float>(const std::vector<BasicVar<float>>&);
template BasicVar<double> Concat<double>(const std::vector<BasicVar<double>>&);

}  // namespace lever
