// Configure-time and test-time check of the compiler with lever's instruction-set flags.
// Debian 12's g++ 12.2 with 256-bit store-by-pieces enabled (AVX-512, or AVX2 tuned for an AVX-512 CPU)
// stores the initializer {1, 1, 1, 0} as one broadcast of 1.0: the vector then holds {1, 1, 1, 1}. Exit
// status 0 means the compiled code is right.
#include <cstdio>
#include <vector>

__attribute__((noinline)) double Sum(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum;
}

int main() {
  const std::vector<double> w{1, 1, 1, 0};
  const double sum = Sum(w);
  std::printf("sum of {1, 1, 1, 0}: %g\n", sum);
  return sum == 3.0 ? 0 : 1;
}
