# Warnings: every build type compiles the project's own code with -Wall -Wextra and, unless
# RISKRADAR_WERROR=OFF, fails on any warning. Every source compiled by this project is its own code.
add_compile_options(-Wall -Wextra)
if(RISKRADAR_WERROR)
  add_compile_options(-Werror)
endif()
