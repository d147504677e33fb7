#pragma once
// Gradient clipping, applied to the gradients between backward and the optimizer step.
#include "lever/nn/parameter.h"

namespace lever {

/// The global L2 norm of all gradients: sqrt(sum over parameters of ||g||^2) (touched rows only for
/// row-sparse gradients).
double GlobalGradientNorm(const ParameterList& params);

/// Scales every gradient by clip_norm / max(global_norm, clip_norm) (Pascanu et al. 2013; TensorFlow's
/// clip_by_global_norm). Returns the global norm before clipping. clip_norm must be > 0.
double ClipByGlobalNorm(const ParameterList& params, double clip_norm);

/// Clamps every gradient element to [-clip_value, clip_value]. Returns how many elements were clipped.
/// clip_value must be > 0.
Index ClipByValue(const ParameterList& params, double clip_value);

}  // namespace lever
