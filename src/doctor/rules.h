#pragma once
// The doctor's rules (docs/doctor.md): each reads what the doctor recorded and adds the findings it
// supports. Curve rules read the losses and evaluations; statistics rules the sampled gradients, weights
// and activations.
#include <initializer_list>
#include <string>
#include <vector>

#include "lever/doctor/doctor.h"

namespace lever::doctor {

void CurveRules(const DoctorRecord& record, std::vector<Finding>& findings);
void StatisticsRules(const DoctorRecord& record, std::vector<Finding>& findings);

// Shared by the rules.
/// The mean of `values` in [begin, end) (clamped; 0 when empty).
double MeanOf(const std::vector<float>& values, size_t begin, size_t end);
/// The step losses' mean over the first 2% of the steps (at least 1) and over the last 10% (at least 1).
double StartLoss(const DoctorRecord& record);
double EndLoss(const DoctorRecord& record);
/// The fall of the loss from start to end as a share of the start (negative: it rose).
double Fall(const DoctorRecord& record);
/// The loss's fall over the last 30% of the steps: the mean of steps 70-100% against that of 40-70%, as a
/// share of the latter (0 when there is nothing to compare).
double LateFall(const DoctorRecord& record);
/// "fell only 6% (0.7242 -> 0.6831)", "did not fall (0.6915 -> 0.6917)".
std::string FallText(const DoctorRecord& record);
/// `value` times `factor`, printed as a knob's value ("0.3", "1e-05").
std::string Scaled(double value, double factor);
/// "adam at 0.01".
std::string OptimizerText(const DoctorFacts& facts);
/// Whether the learning rate is high for its optimizer (SGD above 0.5, momentum and Nesterov above 0.1,
/// the adaptive ones above 0.05).
bool HighLearningRate(const DoctorFacts& facts);
double HighRate(const DoctorFacts& facts);
/// "--learning-rate X": 10 times lower, and for a high rate no higher than a fifth of HighRate (sgd 0.1,
/// momentum 0.02, the adaptive ones 0.01), the optimizer's usual range, so one round gets there.
std::string LowerRate(const DoctorFacts& facts);
/// "--batch-norm", or empty when the run already has it (a knob that is on is no advice).
std::string BatchNormKnob(const DoctorFacts& facts);
/// The knobs that are not empty, joined by ", " (a finding's alternatives).
std::string Knobs(std::initializer_list<std::string> knobs);

}  // namespace lever::doctor
