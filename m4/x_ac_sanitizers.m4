# SPDX-License-Identifier: BSD-3-Clause
# X_AC_SANITIZERS - --enable-sanitizers builds everything (program and tests)
# with AddressSanitizer and UndefinedBehaviorSanitizer, for the CI job that
# runs make check under them (scripts/sanitize.sh). Any UB report is fatal
# (-fno-sanitize-recover) so that a test fails instead of printing and going on.
AC_DEFUN([X_AC_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and UndefinedBehaviorSanitizer (tests, CI)])],
    [], [enable_sanitizers=no])
  AS_IF([test "$enable_sanitizers" = yes], [
    SANITIZER_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    CFLAGS="$CFLAGS $SANITIZER_FLAGS"
    LDFLAGS="$LDFLAGS $SANITIZER_FLAGS"
    AC_MSG_CHECKING([whether $CC can build with $SANITIZER_FLAGS])
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
                   [AC_MSG_RESULT([yes])],
                   [AC_MSG_RESULT([no])
                    AC_MSG_ERROR([--enable-sanitizers: $CC cannot link with $SANITIZER_FLAGS (Debian: gcc, or clang with libclang-rt-14-dev)])])
  ])
  AM_CONDITIONAL([SANITIZERS], [test "$enable_sanitizers" = yes])
])
