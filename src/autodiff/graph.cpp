#include "lever/autodiff/graph.h"

#include <algorithm>

#include "lever/error.h"

namespace lever {

template <class T>
void BasicGraph<T>::CheckOwn(const Var& v, const char* what) const {
  if (v.graph() != this || v.id() < 0 || v.id() >= size()) {
    throw ShapeError(std::string(what) + ": the variable does not belong to this graph");
  }
}

template <class T>
void BasicGraph<T>::Allocate(Node& n) {
  if (n.sparse_input) return;  // no dense buffers
  if (n.bound_value != nullptr) {
    n.value = n.bound_value->data();
    n.grad = n.bound_grad != nullptr ? n.bound_grad->data() : nullptr;
    return;
  }
  // Eigen keeps the buffer when only the row/column split changes, so steady state never allocates.
  if (n.own_value.rows() != n.shape.rows || n.own_value.cols() != n.shape.cols) {
    n.own_value.resize(n.shape.rows, n.shape.cols);
  }
  n.value = n.own_value.data();
  if (n.requires_grad) {
    if (n.own_grad.rows() != n.shape.rows || n.own_grad.cols() != n.shape.cols) {
      n.own_grad.resize(n.shape.rows, n.shape.cols);
    }
    n.grad = n.own_grad.data();
  }
}

template <class T>
BasicVar<T> BasicGraph<T>::Input(const std::string& name, Shape shape, bool requires_grad) {
  if (shape.rows < 0 || shape.cols <= 0) {
    throw ShapeError("input '" + name + "' needs a positive number of columns, got shape " + shape.ToString());
  }
  auto n = std::make_unique<Node>();
  n->op = "input";
  n->name = name;
  n->shape = shape;
  n->requires_grad = requires_grad;
  n->is_input = true;
  Allocate(*n);
  if (shape.size() > 0) n->own_value.setZero();
  nodes_.push_back(std::move(n));
  return Var(this, size() - 1);
}

template <class T>
BasicVar<T> BasicGraph<T>::Constant(const TensorT<T>& value, const std::string& name) {
  auto n = std::make_unique<Node>();
  n->op = "constant";
  n->name = name;
  n->shape = {value.rows(), value.cols()};
  n->own_value = value;
  n->value = n->own_value.data();
  nodes_.push_back(std::move(n));
  return Var(this, size() - 1);
}

template <class T>
BasicVar<T> BasicGraph<T>::Bind(const std::string& name, TensorT<T>* value, TensorT<T>* grad, RowSet* touched) {
  if (value == nullptr) throw ShapeError("Bind('" + name + "'): value storage is null");
  if (grad != nullptr && (grad->rows() != value->rows() || grad->cols() != value->cols())) {
    throw ShapeError("Bind('" + name + "'): gradient storage shape differs from the value's");
  }
  if (touched != nullptr && grad == nullptr) {
    throw ShapeError("Bind('" + name + "'): row-sparse tracking needs gradient storage");
  }
  auto n = std::make_unique<Node>();
  n->op = "parameter";
  n->name = name;
  n->shape = {value->rows(), value->cols()};
  n->bound_value = value;
  n->bound_grad = grad;
  n->touched = touched;
  n->requires_grad = grad != nullptr;
  Allocate(*n);
  nodes_.push_back(std::move(n));
  return Var(this, size() - 1);
}

template <class T>
BasicVar<T> BasicGraph<T>::SparseInput(const std::string& name, Index cols) {
  if (cols <= 0) throw ShapeError("sparse input '" + name + "' needs a positive number of columns");
  auto n = std::make_unique<Node>();
  n->op = "sparse_input";
  n->name = name;
  n->shape = {0, cols};
  n->is_input = true;
  n->sparse_input = true;
  nodes_.push_back(std::move(n));
  return Var(this, size() - 1);
}

template <class T>
BasicVar<T> BasicGraph<T>::GrowingSparseInput(const std::string& name, Index cols) {
  BasicVar<T> v = SparseInput(name, cols);
  node(v.id()).sparse_cols_follow_feed = true;
  return v;
}

template <class T>
void BasicGraph<T>::FeedSparse(const Var& input, const SparseRows* rows) {
  CheckOwn(input, "FeedSparse");
  Node& n = node(input.id());
  if (!n.sparse_input) throw ShapeError("FeedSparse: node '" + n.name + "' is not a sparse input");
  if (rows == nullptr) throw ShapeError("FeedSparse('" + n.name + "'): rows are null");
  if (rows->cols != n.shape.cols && n.sparse_cols_follow_feed) {
    if (rows->cols <= 0) {
      throw ShapeError("FeedSparse('" + n.name + "'): needs a positive number of columns, got " +
                       std::to_string(rows->cols));
    }
    n.shape.cols = rows->cols;
    shapes_dirty_ = true;
  } else if (rows->cols != n.shape.cols) {
    throw ShapeError("FeedSparse('" + n.name + "'): expected " + std::to_string(n.shape.cols) + " columns, got " +
                     std::to_string(rows->cols));
  }
  n.sparse = rows;
  if (rows->rows() != n.shape.rows) {
    n.shape.rows = rows->rows();
    shapes_dirty_ = true;
  }
}

template <class T>
BasicVar<T> BasicGraph<T>::AddOp(const std::string& op, const std::vector<Var>& inputs, ShapeFn infer,
                                 ForwardFn forward, BackwardFn backward, bool accepts_sparse) {
  auto n = std::make_unique<Node>();
  n->op = op;
  n->name = op + "_" + std::to_string(size());
  std::vector<Shape> shapes;
  for (const Var& v : inputs) {
    CheckOwn(v, op.c_str());
    if (!accepts_sparse && is_sparse(v.id())) {
      throw ShapeError(op + ": input '" + name(v.id()) +
                       "' is sparse (sparse rows or a row-sparse table); only sparse ops such as "
                       "sparse_matmul consume it");
    }
    n->inputs.push_back(v.id());
    shapes.push_back(shape(v.id()));
    n->requires_grad = n->requires_grad || requires_grad(v.id());
  }
  n->shape = infer(shapes);  // throws ShapeError when the inputs do not fit
  n->infer = std::move(infer);
  n->forward = std::move(forward);
  n->backward = std::move(backward);
  Allocate(*n);
  nodes_.push_back(std::move(n));
  return Var(this, size() - 1);
}

template <class T>
void BasicGraph<T>::Feed(const Var& input, const Eigen::Ref<const TensorT<T>>& value) {
  CheckOwn(input, "Feed");
  Node& n = node(input.id());
  if (value.cols() != n.shape.cols) {
    throw ShapeError("Feed('" + n.name + "'): expected " + std::to_string(n.shape.cols) + " columns, got " +
                     std::to_string(value.cols()));
  }
  FeedBuffer(input, value.rows()) = value;
}

template <class T>
TensorMap<T> BasicGraph<T>::FeedBuffer(const Var& input, Index rows) {
  CheckOwn(input, "FeedBuffer");
  Node& n = node(input.id());
  if (!n.is_input) throw ShapeError("Feed: node '" + n.name + "' is not an input");
  if (rows != n.shape.rows) {
    n.shape.rows = rows;
    Allocate(n);
    shapes_dirty_ = true;
  }
  return TensorMap<T>(n.value, n.shape.rows, n.shape.cols);
}

template <class T>
void BasicGraph<T>::InferShapes() {
  for (auto& np : nodes_) {
    Node& n = *np;
    if (n.bound_value != nullptr) n.shape = {n.bound_value->rows(), n.bound_value->cols()};  // grown tables
    if (!n.infer) continue;
    shape_scratch_.clear();
    for (int in : n.inputs) shape_scratch_.push_back(node(in).shape);
    n.shape = n.infer(shape_scratch_);
    Allocate(n);
  }
  shapes_dirty_ = false;
}

template <class T>
void BasicGraph<T>::Forward() {
  if (size() > 0) Forward(Var(this, size() - 1));
}

template <class T>
void BasicGraph<T>::Forward(const Var& until) {
  CheckOwn(until, "Forward");
  if (shapes_dirty_) InferShapes();
  for (int id = 0; id <= until.id(); ++id) {
    Node& n = node(id);
    if (n.bound_value != nullptr) {
      n.value = n.bound_value->data();
      n.grad = n.bound_grad != nullptr ? n.bound_grad->data() : nullptr;
      n.shape = {n.bound_value->rows(), n.bound_value->cols()};  // a lazily grown table changes rows
    } else if (n.forward) {
      OpContext<T> ctx(*this, id);
      n.forward(ctx);
    }
  }
}

template <class T>
void BasicGraph<T>::Backward(const Var& loss) {
  CheckOwn(loss, "Backward");
  const Node& l = node(loss.id());
  if (l.shape.rows != 1 || l.shape.cols != 1) {
    throw ShapeError("Backward: the loss must be a 1 x 1 scalar, got " + l.shape.ToString());
  }
  if (!l.requires_grad) throw ShapeError("Backward: the loss does not depend on anything that needs a gradient");
  for (int id = 0; id <= loss.id(); ++id) {
    Node& n = node(id);
    if (!n.requires_grad || n.grad == nullptr) continue;
    if (n.touched != nullptr) {
      // Row-sparse: only the rows the last pass wrote are nonzero.
      const Index cols = n.shape.cols;
      for (Index r : n.touched->rows()) std::fill_n(n.grad + r * cols, cols, T(0));
      n.touched->Clear();
    } else {
      TensorMap<T>(n.grad, n.shape.rows, n.shape.cols).setZero();
    }
  }
  node(loss.id()).grad[0] = T(1);
  for (int id = loss.id(); id >= 0; --id) {
    Node& n = node(id);
    if (n.requires_grad && n.backward) {
      OpContext<T> ctx(*this, id);
      n.backward(ctx);
    }
  }
}

template <class T>
TensorMap<T> BasicGraph<T>::value(int id) {
  Node& n = node(id);
  return TensorMap<T>(n.value, n.shape.rows, n.shape.cols);
}

template <class T>
TensorMap<T> BasicGraph<T>::grad(int id) {
  Node& n = node(id);
  if (n.grad == nullptr) throw ShapeError("node '" + n.name + "' has no gradient (it does not require one)");
  return TensorMap<T>(n.grad, n.shape.rows, n.shape.cols);
}

template class BasicGraph<float>;
template class BasicGraph<double>;

}  // namespace lever
