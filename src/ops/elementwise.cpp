#include "lever/ops/elementwise.h"

#include "ops/op_helpers.h"

namespace lever {
namespace {

enum class Broadcast { kNone, kA, kB };  // which side, if any, is a broadcast row

template <class T>
Broadcast WhichBroadcasts(OpContext<T>& c) {
  const Shape a = c.x_shape(0);
  const Shape b = c.x_shape(1);
  if (a == b) return Broadcast::kNone;
  return b.rows == 1 ? Broadcast::kB : Broadcast::kA;
}

// Accumulates `g` (the full-shape gradient of one operand) into dx(i), summing rows when input i is a
// broadcast row.
template <class T, class Expr>
void AccumulateInto(OpContext<T>& c, int i, bool broadcast, const Expr& g) {
  if (broadcast) {
    c.dx(i).array() += g.colwise().sum();
  } else {
    c.dx(i).array() += g;
  }
}

}  // namespace

template <class T>
BasicVar<T> Add(const BasicVar<T>& a, const BasicVar<T>& b) {
  return a.graph()->AddOp(
      "add", {a, b}, [](const std::vector<Shape>& in) { return internal::BroadcastRows("add", in[0], in[1]); },
      [](OpContext<T>& c) {
        switch (WhichBroadcasts(c)) {
          case Broadcast::kNone:
            c.y().array() = c.x(0).array() + c.x(1).array();
            break;
          case Broadcast::kB:
            c.y().array() = c.x(0).array().rowwise() + c.x(1).array().row(0);
            break;
          case Broadcast::kA:
            c.y().array() = c.x(1).array().rowwise() + c.x(0).array().row(0);
            break;
        }
      },
      [](OpContext<T>& c) {
        const Broadcast bc = WhichBroadcasts(c);
        if (c.needs_dx(0)) AccumulateInto(c, 0, bc == Broadcast::kA, c.dy().array());
        if (c.needs_dx(1)) AccumulateInto(c, 1, bc == Broadcast::kB, c.dy().array());
      });
}

template <class T>
BasicVar<T> Sub(const BasicVar<T>& a, const BasicVar<T>& b) {
  return a.graph()->AddOp(
      "sub", {a, b}, [](const std::vector<Shape>& in) { return internal::BroadcastRows("sub", in[0], in[1]); },
      [](OpContext<T>& c) {
        switch (WhichBroadcasts(c)) {
          case Broadcast::kNone:
            c.y().array() = c.x(0).array() - c.x(1).array();
            break;
          case Broadcast::kB:
            c.y().array() = c.x(0).array().rowwise() - c.x(1).array().row(0);
            break;
          case Broadcast::kA:
            c.y().array() = (-c.x(1).array()).rowwise() + c.x(0).array().row(0);
            break;
        }
      },
      [](OpContext<T>& c) {
        const Broadcast bc = WhichBroadcasts(c);
        if (c.needs_dx(0)) AccumulateInto(c, 0, bc == Broadcast::kA, c.dy().array());
        if (c.needs_dx(1)) AccumulateInto(c, 1, bc == Broadcast::kB, -c.dy().array());
      });
}

template <class T>
BasicVar<T> Mul(const BasicVar<T>& a, const BasicVar<T>& b) {
  return a.graph()->AddOp(
      "mul", {a, b}, [](const std::vector<Shape>& in) { return internal::BroadcastRows("mul", in[0], in[1]); },
      [](OpContext<T>& c) {
        switch (WhichBroadcasts(c)) {
          case Broadcast::kNone:
            c.y().array() = c.x(0).array() * c.x(1).array();
            break;
          case Broadcast::kB:
            c.y().array() = c.x(0).array().rowwise() * c.x(1).array().row(0);
            break;
          case Broadcast::kA:
            c.y().array() = c.x(1).array().rowwise() * c.x(0).array().row(0);
            break;
        }
      },
      [](OpContext<T>& c) {
        const Broadcast bc = WhichBroadcasts(c);
        switch (bc) {
          case Broadcast::kNone:
            if (c.needs_dx(0)) c.dx(0).array() += c.dy().array() * c.x(1).array();
            if (c.needs_dx(1)) c.dx(1).array() += c.dy().array() * c.x(0).array();
            break;
          case Broadcast::kB:
            if (c.needs_dx(0)) c.dx(0).array() += c.dy().array().rowwise() * c.x(1).array().row(0);
            if (c.needs_dx(1)) AccumulateInto(c, 1, true, c.dy().array() * c.x(0).array());
            break;
          case Broadcast::kA:
            if (c.needs_dx(0)) AccumulateInto(c, 0, true, c.dy().array() * c.x(1).array());
            if (c.needs_dx(1)) c.dx(1).array() += c.dy().array().rowwise() * c.x(0).array().row(0);
            break;
        }
      });
}

template <class T>
BasicVar<T> BiasAdd(const BasicVar<T>& x, const BasicVar<T>& bias) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[1].rows != 1 || in[1].cols != in[0].cols) {
      throw ShapeError("bias_add: bias must be (1, " + std::to_string(in[0].cols) + "), got " + in[1].ToString());
    }
    return in[0];
  };
  return x.graph()->AddOp(
      "bias_add", {x, bias}, infer,
      [](OpContext<T>& c) { c.y().array() = c.x(0).array().rowwise() + c.x(1).array().row(0); },
      [](OpContext<T>& c) {
        if (c.needs_dx(0)) c.dx(0) += c.dy();
        if (c.needs_dx(1)) c.dx(1) += c.dy().colwise().sum();
      });
}

template <class T>
BasicVar<T> Scale(const BasicVar<T>& x, double factor) {
  const T f = static_cast<T>(factor);
  return x.graph()->AddOp(
      "scale", {x}, internal::SameShape, [f](OpContext<T>& c) { c.y() = f * c.x(0); },
      [f](OpContext<T>& c) { c.dx(0) += f * c.dy(); });
}

template <class T>
BasicVar<T> Square(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "square", {x}, internal::SameShape, [](OpContext<T>& c) { c.y().array() = c.x(0).array().square(); },
      [](OpContext<T>& c) { c.dx(0).array() += T(2) * c.x(0).array() * c.dy().array(); });
}

LEVER_INSTANTIATE_BINARY(Add)
LEVER_INSTANTIATE_BINARY(Sub)
LEVER_INSTANTIATE_BINARY(Mul)
LEVER_INSTANTIATE_BINARY(BiasAdd)
LEVER_INSTANTIATE_UNARY(Scale, double)
LEVER_INSTANTIATE_UNARY(Square)

}  // namespace lever
