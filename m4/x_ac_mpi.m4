# SPDX-License-Identifier: BSD-3-Clause
# X_AC_MPI - find Open MPI's C bindings: pkg-config ompi-c first, then the
# flags that mpicc reports.  Sets MPI_CFLAGS and MPI_LIBS.
AC_DEFUN([X_AC_MPI], [
  PKG_CHECK_MODULES([MPI], [ompi-c], [], [
    AC_PATH_PROG([MPICC], [mpicc], [])
    AS_IF([test -z "$MPICC"],
          [AC_MSG_ERROR([Open MPI not found: install libopenmpi-dev (pkg-config ompi-c) or put mpicc on PATH])])
    MPI_CFLAGS=$($MPICC --showme:compile)
    MPI_LIBS=$($MPICC --showme:link)
  ])
  save_CFLAGS=$CFLAGS
  save_LIBS=$LIBS
  CFLAGS="$CFLAGS $MPI_CFLAGS"
  LIBS="$LIBS $MPI_LIBS"
  AC_MSG_CHECKING([whether MPI programs link])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>]], [[MPI_Init(0, 0); MPI_Finalize();]])],
                 [AC_MSG_RESULT([yes])],
                 [AC_MSG_RESULT([no]); AC_MSG_ERROR([cannot link an MPI program with $MPI_LIBS])])
  CFLAGS=$save_CFLAGS
  LIBS=$save_LIBS
])
