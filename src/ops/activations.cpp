#include "lever/ops/activations.h"

#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> Sigmoid(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "sigmoid", {x}, internal::SameShape, [](OpContext<T>& c) { c.y().array() = c.x(0).array().logistic(); },
      [](OpContext<T>& c) { c.dx(0).array() += c.dy().array() * c.y().array() * (T(1) - c.y().array()); });
}

template <class T>
BasicVar<T> Tanh(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "tanh", {x}, internal::SameShape, [](OpContext<T>& c) { c.y().array() = c.x(0).array().tanh(); },
      [](OpContext<T>& c) { c.dx(0).array() += c.dy().array() * (T(1) - c.y().array().square()); });
}

template <class T>
BasicVar<T> Relu(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "relu", {x}, internal::SameShape, [](OpContext<T>& c) { c.y().array() = c.x(0).array().max(T(0)); },
      [](OpContext<T>& c) { c.dx(0).array() += (c.x(0).array() > T(0)).select(c.dy().array(), T(0)); });
}

template <class T>
BasicVar<T> LeakyRelu(const BasicVar<T>& x, double alpha) {
  const T a = static_cast<T>(alpha);
  return x.graph()->AddOp(
      "leaky_relu", {x}, internal::SameShape,
      [a](OpContext<T>& c) { c.y().array() = (c.x(0).array() > T(0)).select(c.x(0).array(), a * c.x(0).array()); },
      [a](OpContext<T>& c) { c.dx(0).array() += (c.x(0).array() > T(0)).select(c.dy().array(), a * c.dy().array()); });
}

template <class T>
BasicVar<T> Prelu(const BasicVar<T>& x, const BasicVar<T>& alpha) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[1].rows != 1 || in[1].cols != in[0].cols) {
      throw ShapeError("prelu: slopes must be (1, " + std::to_string(in[0].cols) + "), got " + in[1].ToString());
    }
    return in[0];
  };
  return x.graph()->AddOp(
      "prelu", {x, alpha}, infer,
      [](OpContext<T>& c) {
        auto xa = c.x(0).array();
        c.y().array() = (xa > T(0)).select(xa, xa.rowwise() * c.x(1).array().row(0));
      },
      [](OpContext<T>& c) {
        auto xa = c.x(0).array();
        auto dya = c.dy().array();
        if (c.needs_dx(0)) c.dx(0).array() += (xa > T(0)).select(dya, dya.rowwise() * c.x(1).array().row(0));
        if (c.needs_dx(1)) c.dx(1).array() += (xa > T(0)).select(T(0), xa * dya).colwise().sum();
      });
}

template <class T>
BasicVar<T> Elu(const BasicVar<T>& x, double alpha) {
  const T a = static_cast<T>(alpha);
  return x.graph()->AddOp(
      "elu", {x}, internal::SameShape,
      [a](OpContext<T>& c) {
        auto xa = c.x(0).array();
        c.y().array() = (xa > T(0)).select(xa, a * (xa.min(T(0)).exp() - T(1)));
      },
      [a](OpContext<T>& c) {
        c.dx(0).array() += (c.x(0).array() > T(0)).select(c.dy().array(), c.dy().array() * (c.y().array() + a));
      });
}

template <class T>
BasicVar<T> Softmax(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "softmax", {x}, internal::SameShape,
      [](OpContext<T>& c) {
        auto y = c.y();
        y = c.x(0);
        for (Index i = 0; i < y.rows(); ++i) {
          auto row = y.row(i).array();
          row = (row - row.maxCoeff()).exp();
          row /= row.sum();
        }
      },
      [](OpContext<T>& c) {
        auto y = c.y();
        auto dy = c.dy();
        auto dx = c.dx(0);
        for (Index i = 0; i < y.rows(); ++i) {
          const T dot = y.row(i).dot(dy.row(i));
          dx.row(i).array() += y.row(i).array() * (dy.row(i).array() - dot);
        }
      });
}

LEVER_INSTANTIATE_UNARY(Sigmoid)
LEVER_INSTANTIATE_UNARY(Tanh)
LEVER_INSTANTIATE_UNARY(Relu)
LEVER_INSTANTIATE_UNARY(LeakyRelu, double)
LEVER_INSTANTIATE_BINARY(Prelu)
LEVER_INSTANTIATE_UNARY(Elu, double)
LEVER_INSTANTIATE_UNARY(Softmax)

}  // namespace lever
