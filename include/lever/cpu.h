#pragma once
// The instruction set the library was compiled for (cmake/LeverArch.cmake, LEVER_ARCH), checked against
// the CPU it runs on. A program that may run on older machines calls MissingCpuFeatures() before it calls
// anything else of lever's: on a CPU without them, lever's code would stop with SIGILL.
namespace lever {

/// The CPU features the build requires that this CPU lacks, as "avx2 fma"; "" when none are missing.
/// Safe to call on any x86-64 CPU (compiled for the baseline instruction set).
const char* MissingCpuFeatures();

/// The features the build requires, as "avx2 fma bmi2" ("" for the x86-64 baseline).
const char* RequiredCpuFeatures();

}  // namespace lever
