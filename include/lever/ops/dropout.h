#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Inverted dropout (Srivastava et al. 2014). In training, y = x * m / (1 - rate) with each
/// m_ij ~ Bernoulli(1 - rate), so the expected activation is unchanged and inference needs no rescaling;
/// at inference, y = x. d/dx = the same mask and scale. The mask comes from
/// Rng::Stream(graph seed, node id, graph step): the same step always draws the same mask, which makes
/// training reproducible and resumable. `rate` must be in [0, 1).
template <class T>
BasicVar<T> Dropout(const BasicVar<T>& x, double rate);

}  // namespace lever
