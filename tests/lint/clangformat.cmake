# Fails when any C++ file of the project differs from .clang-format's style.
# Run: cmake -DCLANG_FORMAT=clang-format -DSOURCE_DIR=. -P tests/lint/clangformat.cmake
file(GLOB_RECURSE files
    ${SOURCE_DIR}/src/*.cpp ${SOURCE_DIR}/src/*.h
    ${SOURCE_DIR}/tests/*.cpp ${SOURCE_DIR}/tests/*.h
    ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/bench/*.h)
list(FILTER files EXCLUDE REGEX "/tests/data/")
execute_process(
    COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "C++ files above are not formatted: run `clang-format -i <file>`")
endif()
list(LENGTH files count)
message(STATUS "${count} C++ files formatted as .clang-format says")
