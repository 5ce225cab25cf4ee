# SPDX-License-Identifier: BSD-3-Clause
# X_AC_WARNINGS - warnings always on; --enable-werror makes them errors (CI).
AC_DEFUN([X_AC_WARNINGS], [
  WARNING_CFLAGS="-Wall -Wextra -Wmissing-prototypes -Wundef -Wshadow -Wformat=2 -Wstrict-prototypes"
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
    [], [enable_werror=no])
  AS_IF([test "$enable_werror" = yes], [WARNING_CFLAGS="$WARNING_CFLAGS -Werror"])
  AC_SUBST([WARNING_CFLAGS])
])
