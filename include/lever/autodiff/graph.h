#pragma once
// Reverse-mode automatic differentiation on a static graph.
//
// A model's graph is the same every step, so lever builds it once and replays it: Forward() runs the
// nodes in the order they were added, Backward() runs their backward functions in reverse. Every node
// owns preallocated value and gradient buffers (or views parameter storage held elsewhere), so a
// steady-state training step allocates nothing. Feeding an input with a different number of rows
// re-infers every shape once; buffers are then resized and reused.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lever/tensor/row_set.h"
#include "lever/tensor/sparse.h"
#include "lever/tensor/tensor.h"

namespace lever {

template <class T>
class BasicGraph;

/// A handle to one node of a graph: a value and, when it requires one, a gradient.
template <class T>
class BasicVar {
 public:
  BasicVar() = default;
  BasicVar(BasicGraph<T>* graph, int id) : graph_(graph), id_(id) {}

  bool valid() const { return graph_ != nullptr; }
  BasicGraph<T>* graph() const { return graph_; }
  int id() const { return id_; }
  Shape shape() const;
  Index rows() const { return shape().rows; }
  Index cols() const { return shape().cols; }
  TensorMap<T> value() const;
  TensorMap<T> grad() const;
  /// The value of a 1 x 1 node.
  T scalar() const { return value()(0, 0); }
  const std::string& op() const;
  bool requires_grad() const;

 private:
  BasicGraph<T>* graph_ = nullptr;
  int id_ = -1;
};

/// What an op's forward and backward functions see: input and output values and gradients.
template <class T>
class OpContext {
 public:
  OpContext(BasicGraph<T>& graph, int node) : graph_(graph), node_(node) {}
  /// Value of input i.
  TensorMap<T> x(int i) const;
  /// Gradient of input i; backward functions accumulate into it (+=). Valid only if needs_dx(i).
  TensorMap<T> dx(int i) const;
  bool needs_dx(int i) const;
  Shape x_shape(int i) const;
  /// The sparse rows fed to input i (a SparseInput leaf).
  const SparseRows& sparse_x(int i) const;
  /// For input i bound with row-sparse gradients: where the op records the rows it touches (else null).
  RowSet* touched(int i) const;
  /// Output value and gradient.
  TensorMap<T> y() const;
  TensorMap<T> dy() const;
  BasicGraph<T>& graph() const { return graph_; }
  int node() const { return node_; }

 private:
  BasicGraph<T>& graph_;
  int node_;
};

template <class T>
class BasicGraph {
 public:
  using Var = BasicVar<T>;
  using ShapeFn = std::function<Shape(const std::vector<Shape>& inputs)>;
  using ForwardFn = std::function<void(OpContext<T>&)>;
  using BackwardFn = std::function<void(OpContext<T>&)>;

  /// `seed` drives random ops (dropout): node i at step s draws from Rng::Stream(seed, i, s).
  explicit BasicGraph(uint64_t seed = 0) : seed_(seed) {}
  BasicGraph(const BasicGraph&) = delete;
  BasicGraph& operator=(const BasicGraph&) = delete;

  // ---- Building -------------------------------------------------------------------------------
  /// A leaf whose value the caller feeds before each Forward(). With requires_grad its gradient is
  /// computed too (gradient checks use this).
  Var Input(const std::string& name, Shape shape, bool requires_grad = false);
  /// A leaf holding a fixed value.
  Var Constant(const TensorT<T>& value, const std::string& name = "constant");
  /// A leaf viewing storage held outside the graph (a model parameter). `grad` may be null for a
  /// frozen value. The tensors must outlive the graph.
  ///
  /// With `touched`, the gradient is row-sparse: only sparse ops (SparseMatMul) may consume the node,
  /// they record the rows they write in `touched`, and Backward() zeroes just the rows of the previous
  /// pass instead of the whole tensor. Every other row of `grad` must be, and stays, zero. A table
  /// that grows between steps (lazily allocated embedding rows) is allowed in this mode.
  Var Bind(const std::string& name, TensorT<T>* value, TensorT<T>* grad, RowSet* touched = nullptr);
  /// A leaf holding sparse rows (CSR) over `cols` features, fed with FeedSparse() before each Forward().
  /// Only sparse ops consume it; it has no gradient.
  Var SparseInput(const std::string& name, Index cols);
  /// A SparseInput whose column count follows what is fed: the compact row ids of a table that grows
  /// between steps (LazyEmbedding). FeedSparse accepts rows with any column count and, when it changes,
  /// re-infers shapes once, so SparseMatMul checks it against the table's current rows.
  Var GrowingSparseInput(const std::string& name, Index cols);
  /// Adds an op node. `infer` maps input shapes to the output shape (and throws ShapeError when they
  /// do not fit); `forward` writes y() from x(i); `backward` accumulates dy() into dx(i). Only ops
  /// declared `accepts_sparse` may take sparse inputs or row-sparse parameters.
  Var AddOp(const std::string& op, const std::vector<Var>& inputs, ShapeFn infer, ForwardFn forward,
            BackwardFn backward, bool accepts_sparse = false);

  // ---- Running --------------------------------------------------------------------------------
  /// Copies `value` into an input leaf. A new row count re-infers shapes at the next Forward().
  void Feed(const Var& input, const Eigen::Ref<const TensorT<T>>& value);
  /// Resizes an input leaf to `rows` and returns its buffer for the caller to fill in place.
  TensorMap<T> FeedBuffer(const Var& input, Index rows);
  /// Points a SparseInput at `rows` (not copied: it must stay alive and unchanged until the next feed).
  /// Its column count must equal the input's (any count for a GrowingSparseInput); a new row or column
  /// count re-infers shapes.
  void FeedSparse(const Var& input, const SparseRows* rows);
  /// Computes every node's value.
  void Forward();
  /// Computes the values of nodes up to and including `until` (nodes are in creation order).
  void Forward(const Var& until);
  /// Zeroes all gradients, sets d(loss)/d(loss) = 1 and runs the backward functions in reverse.
  /// `loss` must be 1 x 1.
  void Backward(const Var& loss);

  /// Training mode (dropout active, batch norm on batch statistics) or inference.
  bool training() const { return training_; }
  void set_training(bool training) { training_ = training; }
  /// The step counter random ops use; the trainer sets it, gradient checks hold it fixed.
  uint64_t step() const { return step_; }
  void set_step(uint64_t step) { step_ = step; }
  uint64_t seed() const { return seed_; }

  // ---- Introspection --------------------------------------------------------------------------
  int size() const { return static_cast<int>(nodes_.size()); }
  Shape shape(int id) const { return nodes_[static_cast<size_t>(id)]->shape; }
  const std::string& op(int id) const { return nodes_[static_cast<size_t>(id)]->op; }
  const std::string& name(int id) const { return nodes_[static_cast<size_t>(id)]->name; }
  bool requires_grad(int id) const { return nodes_[static_cast<size_t>(id)]->requires_grad; }
  bool is_sparse(int id) const {
    const Node& n = *nodes_[static_cast<size_t>(id)];
    return n.sparse_input || n.touched != nullptr;
  }
  TensorMap<T> value(int id);
  TensorMap<T> grad(int id);

 private:
  struct Node {
    std::string op;
    std::string name;
    std::vector<int> inputs;
    Shape shape;
    bool requires_grad = false;
    bool is_input = false;
    bool sparse_input = false;             // SparseInput: rows come from `sparse`
    bool sparse_cols_follow_feed = false;  // GrowingSparseInput
    const SparseRows* sparse = nullptr;
    RowSet* touched = nullptr;          // row-sparse gradient of a bound parameter
    TensorT<T>* bound_value = nullptr;  // external storage (Bind)
    TensorT<T>* bound_grad = nullptr;
    TensorT<T> own_value;  // owned storage (inputs, constants, ops)
    TensorT<T> own_grad;
    T* value = nullptr;
    T* grad = nullptr;
    ShapeFn infer;
    ForwardFn forward;
    BackwardFn backward;
  };
  friend class OpContext<T>;
  friend class BasicVar<T>;

  Node& node(int id) { return *nodes_[static_cast<size_t>(id)]; }
  const Node& node(int id) const { return *nodes_[static_cast<size_t>(id)]; }
  void Allocate(Node& n);
  void InferShapes();
  void CheckOwn(const Var& v, const char* what) const;

  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Shape> shape_scratch_;
  uint64_t seed_ = 0;
  uint64_t step_ = 0;
  bool training_ = true;
  bool shapes_dirty_ = false;
};

using Graph = BasicGraph<float>;
using GraphD = BasicGraph<double>;
using Var = BasicVar<float>;
using VarD = BasicVar<double>;

// ---- Inline accessors -----------------------------------------------------------------------------
template <class T>
Shape BasicVar<T>::shape() const {
  return graph_->shape(id_);
}
template <class T>
TensorMap<T> BasicVar<T>::value() const {
  return graph_->value(id_);
}
template <class T>
TensorMap<T> BasicVar<T>::grad() const {
  return graph_->grad(id_);
}
template <class T>
const std::string& BasicVar<T>::op() const {
  return graph_->op(id_);
}
template <class T>
bool BasicVar<T>::requires_grad() const {
  return graph_->requires_grad(id_);
}

template <class T>
inline TensorMap<T> OpContext<T>::x(int i) const {
  const auto& in = graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]);
  return TensorMap<T>(in.value, in.shape.rows, in.shape.cols);
}
template <class T>
inline TensorMap<T> OpContext<T>::dx(int i) const {
  const auto& in = graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]);
  return TensorMap<T>(in.grad, in.shape.rows, in.shape.cols);
}
template <class T>
inline bool OpContext<T>::needs_dx(int i) const {
  return graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]).requires_grad;
}
template <class T>
inline Shape OpContext<T>::x_shape(int i) const {
  return graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]).shape;
}
template <class T>
inline const SparseRows& OpContext<T>::sparse_x(int i) const {
  return *graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]).sparse;
}
template <class T>
inline RowSet* OpContext<T>::touched(int i) const {
  return graph_.node(graph_.node(node_).inputs[static_cast<size_t>(i)]).touched;
}
template <class T>
inline TensorMap<T> OpContext<T>::y() const {
  const auto& n = graph_.node(node_);
  return TensorMap<T>(n.value, n.shape.rows, n.shape.cols);
}
template <class T>
inline TensorMap<T> OpContext<T>::dy() const {
  const auto& n = graph_.node(node_);
  return TensorMap<T>(n.grad, n.shape.rows, n.shape.cols);
}

extern template class BasicGraph<float>;
extern template class BasicGraph<double>;

}  // namespace lever
