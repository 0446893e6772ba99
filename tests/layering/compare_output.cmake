# Runs the layering check on a fixture and compares its report with the expected one, line for line.
# cmake -DSCRIPT=... -DROOT=... -DLAYERS=... -DEXPECTED=... -P compare_output.cmake
execute_process(COMMAND ${SCRIPT} ${ROOT} ${LAYERS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the layering check passed a fixture that breaks the layering:\n${out}${err}")
endif()
# The layer-table path in messages depends on where the tree is checked out: compare relative to ROOT.
string(REPLACE "${ROOT}/" "" out "${out}")
file(READ ${EXPECTED} expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "layering check output differs.\n--- expected\n${expected}--- got\n${out}${err}")
endif()
