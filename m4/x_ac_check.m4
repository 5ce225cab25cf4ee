# SPDX-License-Identifier: BSD-3-Clause
# X_AC_CHECK - the Check unit test library (optional: without it the unit
# tests are not built and make check runs only the shell tests).
AC_DEFUN([X_AC_CHECK], [
  PKG_CHECK_MODULES([CHECK], [check >= 0.11], [have_check=yes], [have_check=no])
  AS_IF([test "$have_check" = no],
        [AC_MSG_WARN([Check not found (Debian: check): unit tests will not be built])])
  AM_CONDITIONAL([HAVE_CHECK], [test "$have_check" = yes])
])
