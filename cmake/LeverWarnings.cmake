# Warnings on and clean: every lever target gets the same set.
function(lever_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                         -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wformat=2
                         -Wimplicit-fallthrough
                         # GCC 12 reports false -Wrestrict positives inside std::string at -O3 (GCC bug 105329).
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
                         # Designated initializers leave fields at their defaults on purpose
                         # (TrainSpec{.max_steps = 100}); GCC 12 warns about each omitted field.
                         -Wno-missing-field-initializers)
  if(LEVER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
