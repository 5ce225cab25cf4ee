/* SPDX-License-Identifier: BSD-3-Clause */
/* test_plan.c - unit tests of shard planning (plan.h), with brute-force
 * oracles in the style of slurm's reverse_tree-test: a dumb, exact
 * implementation of the contract checked against the real one on many
 * random inputs. */
#include "config.h"

#include "coord/plan.h"

#include <errno.h>
#include <math.h>

#include "unit.h"

#define MAXH 16
#define MAXR 40
#define MAXT 400

/* ------------------------------------------------------------ oracles */

/* Largest remainder in exact integer arithmetic: quota total*w/sum split
 * into quotient and remainder; the leftover shards go one each to the
 * largest remainders, ties to the larger weight, then the earlier host.
 * All weights 0: an even split (every weight counts as 1). */
static void oracle_shares(const long *weights, int n, long total, long *shares)
{
    long w[MAXH];
    long sum = 0;
    for (int h = 0; h < n; h++)
        sum += weights[h];
    for (int h = 0; h < n; h++)
        w[h] = sum > 0 ? weights[h] : 1;
    long wsum = sum > 0 ? sum : n;
    long rem[MAXH];
    int extra[MAXH] = {0};
    long given = 0;
    for (int h = 0; h < n; h++) {
        shares[h] = total * w[h] / wsum;
        rem[h] = total * w[h] % wsum;
        given += shares[h];
    }
    for (; given < total; given++) {
        int best = -1;
        for (int h = 0; h < n; h++) {
            if (extra[h] || w[h] == 0)
                continue;
            if (best < 0 || rem[h] > rem[best] || (rem[h] == rem[best] && w[h] > w[best]))
                best = h;
        }
        unit_require(best >= 0, "no host left for a shard");
        extra[best] = 1;
        shares[best]++;
    }
}

/* What a static plan must be: host h's block of todo (hosts in index order,
 * sizes from plan_shares of the weights: the apportionment itself is checked
 * by the shares tests) dealt round-robin to its ranks in rank order. Writes
 * each rank's list into want[r] and its length in nwant[r]. Every host must
 * have a rank. */
static void oracle_static(int nranks, const int *rank_host, int nhosts, const long *weights,
                          const long *todo, long ntodo, long want[][MAXT], long *nwant)
{
    long shares[MAXH];
    unit_require_eq(plan_shares(weights, nhosts, ntodo, shares), 0);
    long first = 0;
    for (int h = 0; h < nhosts; h++) {
        long k = 0;
        int nr = 0;
        int ranks[MAXR];
        for (int r = 0; r < nranks; r++)
            if (rank_host[r] == h)
                ranks[nr++] = r;
        for (int i = 0; i < nr; i++)
            nwant[ranks[i]] = 0;
        for (long pos = 0; pos < shares[h]; pos++, k++) {
            int r = ranks[k % nr];
            want[r][nwant[r]++] = todo[first + pos];
        }
        first += shares[h];
    }
}

/* ------------------------------------------------------------ plan_shares */

static void assert_shares(const long *weights, int n, long total, const long *want)
{
    long got[MAXH];
    ck_assert_int_eq(plan_shares(weights, n, total, got), 0);
    for (int h = 0; h < n; h++)
        ck_assert_msg(got[h] == want[h], "total %ld: host %d gets %ld, want %ld", total, h, got[h],
                      want[h]);
}

START_TEST(shares_proportional)
{
    const long w[] = {16, 24, 4, 4};
    assert_shares(w, 4, 48, (long[]){16, 24, 4, 4});
    assert_shares(w, 4, 96, (long[]){32, 48, 8, 8});
    assert_shares(w, 4, 12, (long[]){4, 6, 1, 1});
    assert_shares(w, 4, 0, (long[]){0, 0, 0, 0});
    assert_shares((long[]){7}, 1, 5, (long[]){5});
}
END_TEST

START_TEST(shares_largest_remainder)
{
    /* {1,1,1} over 2: sums to 2, at most 1 each; ties go to the earlier host */
    long got[3];
    ck_assert_int_eq(plan_shares((long[]){1, 1, 1}, 3, 2, got), 0);
    ck_assert_int_eq(got[0] + got[1] + got[2], 2);
    for (int h = 0; h < 3; h++)
        ck_assert_int_le(got[h], 1);
    assert_shares((long[]){1, 1, 1}, 3, 2, (long[]){1, 1, 0});
    /* quotas 0.5, 1.5: remainders tie, the larger weight wins */
    assert_shares((long[]){1, 3}, 2, 2, (long[]){0, 2});
    assert_shares((long[]){3, 1}, 2, 2, (long[]){2, 0});
    /* quotas 2.4, 1.2, 0.4... over 4: largest remainders 0.4, 0.4 */
    assert_shares((long[]){6, 3, 1}, 3, 4, (long[]){3, 1, 0});
    /* quotas 1/3, 4/3, 1/3: equal remainders, the larger weight wins */
    assert_shares((long[]){1, 4, 1}, 3, 2, (long[]){0, 2, 0});
    /* quotas 2/3, 2/3, 5/3: all remainders tie, so the 5 first, then host 0 */
    assert_shares((long[]){2, 2, 5}, 3, 3, (long[]){1, 0, 2});
    /* 7 over 4 equal hosts: 2, 2, 2, 1 */
    assert_shares((long[]){5, 5, 5, 5}, 4, 7, (long[]){2, 2, 2, 1});
}
END_TEST

START_TEST(shares_all_zero_is_even)
{
    assert_shares((long[]){0, 0, 0}, 3, 5, (long[]){2, 2, 1});
    assert_shares((long[]){0, 0, 0}, 3, 6, (long[]){2, 2, 2});
    assert_shares((long[]){0, 0, 0, 0}, 4, 1, (long[]){1, 0, 0, 0});
    assert_shares((long[]){0, 0}, 2, 0, (long[]){0, 0});
}
END_TEST

START_TEST(shares_zero_weight_gets_nothing)
{
    assert_shares((long[]){0, 5, 0}, 3, 7, (long[]){0, 7, 0});
    assert_shares((long[]){0, 1, 1}, 3, 3, (long[]){0, 2, 1});
    assert_shares((long[]){1, 0, 1000}, 3, 1, (long[]){0, 0, 1});
    assert_shares((long[]){1, 0, 1}, 3, 5, (long[]){3, 0, 2});
}
END_TEST

START_TEST(shares_errors)
{
    long out[4] = {-7, -7, -7, -7};
    errno = 0;
    ck_assert_int_eq(plan_shares((long[]){1}, 0, 5, out), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(plan_shares((long[]){1}, -1, 5, out), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(plan_shares((long[]){1, 2}, 2, -1, out), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(plan_shares((long[]){1, -1, 2}, 3, 5, out), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(plan_shares((long[]){4, 4, 4, -4}, 4, 0, out), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(shares_large_numbers)
{
    /* 10 million shards over realistic core counts: exact and complete */
    const long w[] = {128, 96, 64, 1};
    long got[4], want[4];
    ck_assert_int_eq(plan_shares(w, 4, 10000000, got), 0);
    oracle_shares(w, 4, 10000000, want);
    for (int h = 0; h < 4; h++)
        ck_assert_int_eq(got[h], want[h]);
}
END_TEST

/* Random weights and totals against the exact oracle, and the plain
 * properties: the sum is total, each share is floor or ceil of its quota. */
START_TEST(shares_random_oracle)
{
    unsigned long long st = 0xdeadbeefULL;
    for (int round = 0; round < 20000; round++) {
        int n = (int)unit_rand_range(&st, 1, MAXH);
        long w[MAXH], got[MAXH], want[MAXH];
        /* small weights (many ties and zeros), core counts, large numbers,
         * or 0/12 (whole hosts idle) */
        static const long wmin[] = {0, 1, 0, 0}, wmax[] = {4, 128, 1000000, 1};
        static const long wmul[] = {1, 1, 1, 12};
        int style = (int)unit_rand_range(&st, 0, 3);
        for (int h = 0; h < n; h++)
            w[h] = unit_rand_range(&st, wmin[style], wmax[style]) * wmul[style];
        long total = unit_rand_range(&st, 0, round % 10 ? 200 : 100000);
        unit_require_eq(plan_shares(w, n, total, got), 0);
        oracle_shares(w, n, total, want);
        long sum = 0, wsum = 0;
        for (int h = 0; h < n; h++)
            wsum += w[h];
        for (int h = 0; h < n; h++) {
            sum += got[h];
            long num = wsum > 0 ? total * w[h] : total;
            long den = wsum > 0 ? wsum : n;
            long lo = num / den, hi = lo + (num % den != 0);
            unit_require(got[h] == lo || got[h] == hi,
                         "round %d host %d: %ld is not floor/ceil of %ld/%ld", round, h, got[h],
                         num, den);
            if (wsum > 0 && w[h] == 0)
                unit_require_eq(got[h], 0);
            unit_require(got[h] == want[h],
                         "round %d: n=%d total=%ld host %d (weight %ld) gets %ld, oracle %ld",
                         round, n, total, h, w[h], got[h], want[h]);
        }
        unit_require_eq(sum, total);
    }
}
END_TEST

/* ------------------------------------------------------------ static plans */

/* Check p against the oracle and the plain properties. */
static void check_static(struct plan *p, int nranks, const int *rank_host, int nhosts,
                         const long *host_cores, const long *todo, long ntodo)
{
    static long want[MAXR][MAXT];
    long nwant[MAXR];
    ck_assert_ptr_nonnull(p);
    ck_assert(plan_is_static(p));
    oracle_static(nranks, rank_host, nhosts, host_cores, todo, ntodo, want, nwant);

    /* every shard exactly once, in the right rank's list, in order */
    int seen[2 * MAXT + 1] = {0};
    long total = 0;
    for (int r = 0; r < nranks; r++) {
        long count = plan_rank_count(p, r);
        unit_require(count == nwant[r], "rank %d: %ld shards, want %ld", r, count, nwant[r]);
        unit_require_eq(plan_pending(p, r), count);
        for (long i = 0; i < count; i++) {
            long shard = plan_rank_shard(p, r, i);
            unit_require(shard == want[r][i], "rank %d position %ld: %ld, want %ld", r, i, shard,
                         want[r][i]);
            unit_require(shard >= 0 && shard <= 2 * MAXT, "shard %ld out of range", shard);
            seen[shard]++;
        }
        unit_require_eq(plan_rank_shard(p, r, count), -1);
        unit_require_eq(plan_rank_shard(p, r, -1), -1);
        total += count;
    }
    unit_require_eq(total, ntodo);
    for (long i = 0; i < ntodo; i++)
        unit_require(seen[todo[i]] == 1, "shard %ld planned %d times", todo[i], seen[todo[i]]);

    /* a host's ranks get counts that differ by at most 1, the earlier ranks more */
    for (int h = 0; h < nhosts; h++) {
        long first = -1, prev = -1;
        for (int r = 0; r < nranks; r++) {
            if (rank_host[r] != h)
                continue;
            long c = plan_rank_count(p, r);
            if (first < 0)
                first = c;
            unit_require((c == first || c == first - 1) && (prev < 0 || c <= prev),
                         "host %d rank %d: %ld shards after %ld (first rank %ld)", h, r, c, prev,
                         first);
            prev = c;
        }
    }

    /* plan_next hands out the same list, then -1; plan_rank_shard does not move */
    for (int r = 0; r < nranks; r++) {
        long count = plan_rank_count(p, r);
        for (long i = 0; i < count; i++) {
            unit_require_eq(plan_next(p, r), want[r][i]);
            unit_require_eq(plan_pending(p, r), count - i - 1);
        }
        unit_require_eq(plan_next(p, r), -1);
        unit_require_eq(plan_next(p, r), -1);
        unit_require_eq(plan_pending(p, r), 0);
        unit_require_eq(plan_rank_count(p, r), count);
        if (count)
            unit_require_eq(plan_rank_shard(p, r, 0), want[r][0]);
    }
}

START_TEST(static_two_hosts)
{
    /* host 0 (16 cores): ranks 0, 2, 4; host 1 (48 cores): ranks 1, 3 */
    const int rank_host[] = {0, 1, 0, 1, 0};
    const long cores[] = {16, 48};
    long todo[16];
    for (int i = 0; i < 16; i++)
        todo[i] = i;
    struct plan *p = plan_create_static(5, rank_host, 2, cores, todo, 16);
    ck_assert_ptr_nonnull(p);
    /* shares 4 and 12: host 0 gets shards 0-3, host 1 shards 4-15 */
    const long want0[] = {0, 3}, want2[] = {1}, want4[] = {2};
    const long want1[] = {4, 6, 8, 10, 12, 14}, want3[] = {5, 7, 9, 11, 13, 15};
    ck_assert_int_eq(plan_rank_count(p, 0), 2);
    ck_assert_int_eq(plan_rank_count(p, 2), 1);
    ck_assert_int_eq(plan_rank_count(p, 4), 1);
    ck_assert_int_eq(plan_rank_count(p, 1), 6);
    ck_assert_int_eq(plan_rank_count(p, 3), 6);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(plan_rank_shard(p, 0, i), want0[i]);
    ck_assert_int_eq(plan_rank_shard(p, 2, 0), want2[0]);
    ck_assert_int_eq(plan_rank_shard(p, 4, 0), want4[0]);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(plan_rank_shard(p, 1, i), want1[i]);
        ck_assert_int_eq(plan_rank_shard(p, 3, i), want3[i]);
    }
    check_static(p, 5, rank_host, 2, cores, todo, 16);
    plan_destroy(p);
}
END_TEST

START_TEST(static_todo_values_not_positions)
{
    /* the plan deals the values in todo, in todo's order (a rerun of some shards) */
    const int rank_host[] = {0, 0};
    const long cores[] = {2};
    const long todo[] = {9, 3, 7, 1, 5};
    struct plan *p = plan_create_static(2, rank_host, 1, cores, todo, 5);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(plan_next(p, 0), 9);
    ck_assert_int_eq(plan_next(p, 1), 3);
    ck_assert_int_eq(plan_next(p, 0), 7);
    ck_assert_int_eq(plan_next(p, 0), 5);
    ck_assert_int_eq(plan_next(p, 0), -1);
    ck_assert_int_eq(plan_next(p, 1), 1);
    ck_assert_int_eq(plan_next(p, 1), -1);
    plan_destroy(p);
}
END_TEST

START_TEST(static_no_shards)
{
    const int rank_host[] = {0, 1};
    const long cores[] = {4, 4};
    struct plan *p = plan_create_static(2, rank_host, 2, cores, NULL, 0);
    ck_assert_ptr_nonnull(p);
    for (int r = 0; r < 2; r++) {
        ck_assert_int_eq(plan_rank_count(p, r), 0);
        ck_assert_int_eq(plan_pending(p, r), 0);
        ck_assert_int_eq(plan_next(p, r), -1);
        ck_assert_int_eq(plan_rank_shard(p, r, 0), -1);
    }
    plan_destroy(p);
}
END_TEST

START_TEST(static_more_ranks_than_shards)
{
    const int rank_host[] = {0, 0, 0, 0, 1, 1, 1, 1};
    const long cores[] = {4, 4};
    const long todo[] = {0, 1, 2};
    struct plan *p = plan_create_static(8, rank_host, 2, cores, todo, 3);
    check_static(p, 8, rank_host, 2, cores, todo, 3);
    plan_destroy(p);
}
END_TEST

START_TEST(static_zero_cores_everywhere)
{
    /* no core counts at all: an even split over the hosts */
    const int rank_host[] = {0, 1, 2};
    const long cores[] = {0, 0, 0};
    long todo[7];
    for (int i = 0; i < 7; i++)
        todo[i] = i;
    struct plan *p = plan_create_static(3, rank_host, 3, cores, todo, 7);
    check_static(p, 3, rank_host, 3, cores, todo, 7);
    ck_assert_int_eq(plan_rank_count(p, 0), 3);
    ck_assert_int_eq(plan_rank_count(p, 1), 2);
    ck_assert_int_eq(plan_rank_count(p, 2), 2);
    plan_destroy(p);
}
END_TEST

/* A host listed without any rank must not be given shards nobody would run. */
START_TEST(static_host_without_ranks_loses_nothing)
{
    const int rank_host[] = {0, 2, 0};
    const long cores[] = {8, 64, 8};
    long todo[20];
    for (int i = 0; i < 20; i++)
        todo[i] = 100 + i;
    struct plan *p = plan_create_static(3, rank_host, 3, cores, todo, 20);
    ck_assert_ptr_nonnull(p);
    long total = 0;
    for (int r = 0; r < 3; r++)
        total += plan_rank_count(p, r);
    ck_assert_int_eq(total, 20);
    ck_assert_int_eq(plan_rank_count(p, 1), 10);
    ck_assert_int_eq(plan_rank_count(p, 0) + plan_rank_count(p, 2), 10);
    plan_destroy(p);

    /* and when the only host with cores has no ranks, the rest share evenly */
    const long cores2[] = {0, 64, 0};
    p = plan_create_static(3, rank_host, 3, cores2, todo, 20);
    ck_assert_ptr_nonnull(p);
    total = 0;
    for (int r = 0; r < 3; r++)
        total += plan_rank_count(p, r);
    ck_assert_int_eq(total, 20);
    plan_destroy(p);
}
END_TEST

START_TEST(static_errors)
{
    const int rank_host[] = {0, 1};
    const int bad_host[] = {0, 2};
    const int neg_host[] = {-1, 0};
    const long cores[] = {4, 4};
    const long neg_cores[] = {4, -4};
    const long todo[] = {0, 1, 2};
    errno = 0;
    ck_assert_ptr_null(plan_create_static(0, rank_host, 2, cores, todo, 3));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_static(2, rank_host, 0, cores, todo, 3));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_static(2, bad_host, 2, cores, todo, 3));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_static(2, neg_host, 2, cores, todo, 3));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_static(2, rank_host, 2, neg_cores, todo, 3));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_static(2, rank_host, 2, cores, todo, -1));
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(static_rank_out_of_range)
{
    const int rank_host[] = {0, 0};
    const long cores[] = {2};
    const long todo[] = {0, 1, 2, 3};
    struct plan *p = plan_create_static(2, rank_host, 1, cores, todo, 4);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(plan_next(p, 2), -1);
    ck_assert_int_eq(plan_next(p, -1), -1);
    ck_assert_int_eq(plan_pending(p, 2), 0);
    ck_assert_int_eq(plan_rank_count(p, -1), 0);
    ck_assert_int_eq(plan_rank_shard(p, 5, 0), -1);
    /* nothing was consumed */
    ck_assert_int_eq(plan_pending(p, 0), 2);
    ck_assert_int_eq(plan_pending(p, 1), 2);
    plan_destroy(p);
}
END_TEST

/* Random ranks, hosts (every host with at least one rank), cores and todo
 * lists against the oracle. */
START_TEST(static_random_oracle)
{
    unsigned long long st = 0x5eed5eedULL;
    for (int round = 0; round < 3000; round++) {
        int nhosts = (int)unit_rand_range(&st, 1, 8);
        int nranks = (int)unit_rand_range(&st, nhosts, MAXR);
        int rank_host[MAXR];
        /* every host once, the rest at random, then shuffled: ranks of a host
         * need not be contiguous */
        for (int r = 0; r < nranks; r++)
            rank_host[r] = r < nhosts ? r : (int)unit_rand_range(&st, 0, nhosts - 1);
        for (int r = nranks - 1; r > 0; r--) {
            int k = (int)unit_rand_range(&st, 0, r);
            int t = rank_host[r];
            rank_host[r] = rank_host[k];
            rank_host[k] = t;
        }
        long cores[MAXH];
        int zero = unit_rand_range(&st, 0, 9) == 0;
        for (int h = 0; h < nhosts; h++)
            cores[h] = zero ? 0 : unit_rand_range(&st, round % 3 ? 1 : 0, 64);
        long ntodo = unit_rand_range(&st, 0, MAXT);
        long todo[MAXT];
        /* distinct shard numbers below 2*MAXT, in random order */
        long k = 0;
        for (long v = 0; v < 2 * MAXT && k < ntodo; v++)
            if ((long)unit_rand_range(&st, 0, 2 * MAXT - v - 1) < ntodo - k)
                todo[k++] = v;
        for (long i = ntodo - 1; i > 0; i--) {
            long j = unit_rand_range(&st, 0, i);
            long t = todo[i];
            todo[i] = todo[j];
            todo[j] = t;
        }
        unit_require_eq(k, ntodo);
        struct plan *p = plan_create_static(nranks, rank_host, nhosts, cores, todo, ntodo);
        check_static(p, nranks, rank_host, nhosts, cores, todo, ntodo);
        plan_destroy(p);
    }
}
END_TEST

/* ------------------------------------------------------------ dynamic plans */

START_TEST(dynamic_queue_in_order)
{
    const long todo[] = {4, 2, 9, 0, 7};
    struct plan *p = plan_create_dynamic(3, todo, 5);
    ck_assert_ptr_nonnull(p);
    ck_assert(!plan_is_static(p));
    const int askers[] = {2, 0, 0, 1, 2};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(plan_pending(p, askers[i]), 5 - i);
        ck_assert_int_eq(plan_pending(p, 0), 5 - i);
        ck_assert_int_eq(plan_next(p, askers[i]), todo[i]);
    }
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(plan_next(p, r), -1);
        ck_assert_int_eq(plan_pending(p, r), 0);
        ck_assert_int_eq(plan_rank_count(p, r), 0);
        ck_assert_int_eq(plan_rank_shard(p, r, 0), -1);
    }
    plan_destroy(p);
}
END_TEST

START_TEST(dynamic_empty_and_errors)
{
    struct plan *p = plan_create_dynamic(2, NULL, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(plan_next(p, 0), -1);
    ck_assert_int_eq(plan_pending(p, 1), 0);
    plan_destroy(p);

    errno = 0;
    ck_assert_ptr_null(plan_create_dynamic(0, (long[]){1}, 1));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(plan_create_dynamic(2, (long[]){1}, -1));
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(dynamic_return_goes_out_first)
{
    long todo[] = {10, 11, 12, 13};
    struct plan *p = plan_create_dynamic(3, todo, 4);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(plan_next(p, 1), 10);
    ck_assert_int_eq(plan_next(p, 1), 11);
    ck_assert_int_eq(plan_next(p, 2), 12);
    /* rank 1's host was excluded: it gives 11 back, then 10 */
    ck_assert_int_eq(plan_return(p, 11), 0);
    ck_assert_int_eq(plan_return(p, 10), 0);
    ck_assert_int_eq(plan_pending(p, 0), 3);
    ck_assert_int_eq(plan_next(p, 0), 10);
    ck_assert_int_eq(plan_next(p, 2), 11);
    ck_assert_int_eq(plan_next(p, 0), 13);
    ck_assert_int_eq(plan_next(p, 0), -1);
    ck_assert_int_eq(plan_pending(p, 0), 0);
    plan_destroy(p);
}
END_TEST

START_TEST(static_return_refused)
{
    long todo[] = {0, 1};
    int rank_host[] = {0, 0};
    long cores[] = {2};
    struct plan *p = plan_create_static(2, rank_host, 1, cores, todo, 2);
    ck_assert_ptr_nonnull(p);
    long first = plan_next(p, 0);
    errno = 0;
    ck_assert_int_eq(plan_return(p, first), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(plan_next(p, 0), -1); /* nothing came back to rank 0 */
    plan_destroy(p);
}
END_TEST

START_TEST(dynamic_rank_out_of_range)
{
    const long todo[] = {3, 1};
    struct plan *p = plan_create_dynamic(2, todo, 2);
    ck_assert_int_eq(plan_next(p, 2), -1);
    ck_assert_int_eq(plan_next(p, -1), -1);
    ck_assert_int_eq(plan_pending(p, 0), 2); /* nothing consumed */
    ck_assert_int_eq(plan_next(p, 1), 3);
    plan_destroy(p);
}
END_TEST

START_TEST(dynamic_random_oracle)
{
    unsigned long long st = 77;
    for (int round = 0; round < 2000; round++) {
        int nranks = (int)unit_rand_range(&st, 1, MAXR);
        long ntodo = unit_rand_range(&st, 0, MAXT);
        long todo[MAXT];
        for (long i = 0; i < ntodo; i++)
            todo[i] = unit_rand_range(&st, 0, 100000);
        struct plan *p = plan_create_dynamic(nranks, todo, ntodo);
        ck_assert_ptr_nonnull(p);
        /* the todo copy is the plan's own */
        long expect0 = ntodo ? todo[0] : -1;
        if (ntodo)
            todo[0] = -5;
        for (long i = 0; i < ntodo; i++) {
            int r = (int)unit_rand_range(&st, 0, nranks - 1);
            unit_require_eq(plan_pending(p, r), ntodo - i);
            long got = plan_next(p, r);
            unit_require_eq(got, i == 0 ? expect0 : todo[i]);
        }
        unit_require_eq(plan_next(p, (int)unit_rand_range(&st, 0, nranks - 1)), -1);
        unit_require_eq(plan_pending(p, 0), 0);
        plan_destroy(p);
    }
}
END_TEST

START_TEST(destroy_null_keeps_errno)
{
    errno = ENOENT;
    plan_destroy(NULL);
    ck_assert_int_eq(errno, ENOENT);
    struct plan *p = plan_create_dynamic(1, (long[]){1}, 1);
    errno = EBUSY;
    plan_destroy(p);
    ck_assert_int_eq(errno, EBUSY);
}
END_TEST

/* Longest first: a worked case (unknown shards as the median, ties in
 * their order, shards not in todo ignored), and random cases against an
 * oracle: the result is a permutation of todo, non-increasing in each
 * shard's seconds (the median for the unknown), and stable. */
START_TEST(longest_first)
{
    double pred[8] = {1, NAN, 5, 2, NAN, 2, 9, 100};
    long todo[] = {0, 1, 2, 3, 4, 5, 6}; /* shard 7 is settled: not here */
    ck_assert_int_eq(plan_longest_first(todo, 7, pred), 0);
    /* known: 1 5 2 2 9, median 2, so the unknown 1 and 4 count 2 as 3 and 5
     * do; the four tie and keep todo's order */
    long want[] = {6, 2, 1, 3, 4, 5, 0};
    for (int k = 0; k < 7; k++)
        ck_assert_int_eq(todo[k], want[k]);

    double none[3] = {NAN, NAN, NAN};
    long same[] = {2, 0, 1};
    ck_assert_int_eq(plan_longest_first(same, 3, none), 0);
    ck_assert_int_eq(same[0], 2);
    ck_assert_int_eq(same[1], 0);
    ck_assert_int_eq(same[2], 1);
    ck_assert_int_eq(plan_longest_first(same, 0, none), 0);

    unsigned long long st = 99;
    for (int round = 0; round < 300; round++) {
        enum { MAX = 60 };
        long n = unit_rand_range(&st, 1, MAX), t[MAX], orig[MAX];
        double p[MAX];
        for (long i = 0; i < n; i++) {
            long kind = unit_rand_range(&st, 0, 3);
            p[i] = kind == 0 ? NAN : (double)unit_rand_range(&st, 0, 5); /* many ties */
            t[i] = orig[i] = n - 1 - i;
        }
        ck_assert_int_eq(plan_longest_first(t, n, p), 0);
        double known[MAX];
        long nk = 0;
        for (long i = 0; i < n; i++)
            if (!isnan(p[i]))
                known[nk++] = p[i];
        for (long a = 0; a < nk; a++) /* insertion sort: the oracle's own median */
            for (long b = a; b > 0 && known[b - 1] > known[b]; b--) {
                double x = known[b];
                known[b] = known[b - 1];
                known[b - 1] = x;
            }
        double med = nk == 0 ? 0 : nk % 2 ? known[nk / 2] : (known[nk / 2 - 1] + known[nk / 2]) / 2;
        int seen[MAX] = {0};
        for (long k = 0; k < n; k++)
            seen[t[k]]++;
        for (long i = 0; i < n; i++)
            ck_assert_int_eq(seen[i], 1);
        if (nk == 0) {
            for (long k = 0; k < n; k++)
                ck_assert_int_eq(t[k], orig[k]);
            continue;
        }
        for (long k = 1; k < n; k++) {
            double a = isnan(p[t[k - 1]]) ? med : p[t[k - 1]];
            double b = isnan(p[t[k]]) ? med : p[t[k]];
            ck_assert(a >= b);
            if (a == b) { /* stable: in todo's order, which was descending */
                ck_assert_int_gt(t[k - 1], t[k]);
            }
        }
    }
}
END_TEST

/* ------------------------------------------------------------ LPT */

#define LMAXR 3 /* the brute force enumerates LMAXR^LMAXT assignments */
#define LMAXT 8
#define LMAXS 12 /* shard indices 0..LMAXS-1, todo a subset */

/* A small case: speed NULL or per host, shards' seconds (NAN: unknown). */
struct lcase {
    int nranks, nhosts;
    int rank_host[LMAXR];
    double speedv[LMAXR];
    const double *speed;
    long todo[LMAXT], ntodo;
    double seconds[LMAXS];
};

/* What the contract says, done the slow way: each shard's counted seconds
 * (the median of todo's known ones for the unknown, insertion-sorted; 1 each
 * when none is known), a stable insertion sort longest first, then each
 * shard to the first rank of least end over every rank of positive speed
 * (every rank at speed 1 when none has one). Writes each rank's list and
 * planned seconds, the counted seconds per shard index (cnt) and each
 * rank's speed (0: excluded). Returns the makespan. */
static double oracle_lpt(const struct lcase *c, long want[][LMAXT], long *nwant, double *cnt,
                         double *rspeed)
{
    double known[LMAXT];
    long nk = 0;
    for (long k = 0; k < c->ntodo; k++)
        if (!isnan(c->seconds[c->todo[k]]))
            known[nk++] = c->seconds[c->todo[k]];
    for (long a = 0; a < nk; a++)
        for (long b = a; b > 0 && known[b - 1] > known[b]; b--) {
            double x = known[b];
            known[b] = known[b - 1];
            known[b - 1] = x;
        }
    double med = nk == 0 ? 1 : nk % 2 ? known[nk / 2] : (known[nk / 2 - 1] + known[nk / 2]) / 2;
    long order[LMAXT];
    for (long k = 0; k < c->ntodo; k++) {
        double s = c->seconds[c->todo[k]];
        cnt[c->todo[k]] = isnan(s) ? med : s;
        order[k] = c->todo[k];
        for (long b = k; b > 0 && cnt[order[b - 1]] < cnt[order[b]]; b--) {
            long x = order[b];
            order[b] = order[b - 1];
            order[b - 1] = x;
        }
    }
    int any = 0;
    for (int r = 0; r < c->nranks; r++)
        any |= (rspeed[r] = c->speed ? c->speed[c->rank_host[r]] : 1) > 0;
    for (int r = 0; r < c->nranks; r++)
        rspeed[r] = any ? rspeed[r] : 1;
    double load[LMAXR] = {0};
    for (int r = 0; r < c->nranks; r++)
        nwant[r] = 0;
    for (long k = 0; k < c->ntodo; k++) {
        int best = -1;
        for (int r = 0; r < c->nranks; r++)
            if (rspeed[r] > 0 && (best < 0 || load[r] + cnt[order[k]] / rspeed[r] <
                                                  load[best] + cnt[order[k]] / rspeed[best]))
                best = r;
        load[best] += cnt[order[k]] / rspeed[best];
        want[best][nwant[best]++] = order[k];
    }
    double mk = 0;
    for (int r = 0; r < c->nranks; r++)
        mk = load[r] > mk ? load[r] : mk;
    return mk;
}

/* The best makespan of any assignment of todo to the ranks of positive
 * rspeed: every one of the nranks^ntodo tried. */
static double brute_optimum(const struct lcase *c, const double *cnt, const double *rspeed)
{
    long n = 1;
    for (long k = 0; k < c->ntodo; k++)
        n *= c->nranks;
    double best = INFINITY;
    for (long a = 0; a < n; a++) {
        double load[LMAXR] = {0};
        long code = a;
        int ok = 1;
        for (long k = 0; k < c->ntodo; k++, code /= c->nranks) {
            int r = (int)(code % c->nranks);
            ok &= rspeed[r] > 0;
            load[r] += cnt[c->todo[k]] / (rspeed[r] > 0 ? rspeed[r] : 1);
        }
        double mk = 0;
        for (int r = 0; r < c->nranks; r++)
            mk = load[r] > mk ? load[r] : mk;
        if (ok && mk < best)
            best = mk;
    }
    return best;
}

/* p's rank lists are want's, and plan_next hands them out in that order. */
static void assert_lists(struct plan *p, int nranks, long want[][LMAXT], const long *nwant)
{
    ck_assert(plan_is_static(p));
    for (int r = 0; r < nranks; r++) {
        unit_require_eq(plan_rank_count(p, r), nwant[r]);
        for (long i = 0; i < nwant[r]; i++)
            unit_require(plan_rank_shard(p, r, i) == want[r][i],
                         "rank %d shard %ld is %ld, want %ld", r, i, plan_rank_shard(p, r, i),
                         want[r][i]);
        unit_require_eq(plan_rank_shard(p, r, nwant[r]), -1);
    }
    for (int r = 0; r < nranks; r++) {
        for (long i = 0; i < nwant[r]; i++) {
            unit_require_eq(plan_pending(p, r), nwant[r] - i);
            unit_require_eq(plan_next(p, r), want[r][i]);
        }
        unit_require_eq(plan_next(p, r), -1);
        unit_require_eq(plan_pending(p, r), 0);
    }
}

/* The classic case where LPT is furthest from the optimum on m = 3 equal
 * ranks: 5 5 4 4 3 3 3 gives 11 (5+3+3, 5+3, 4+4) where 9 (5+4, 5+4, 3+3+3)
 * is best, 11/9 = 4/3 - 1/(3m). The last 3 ties on all three ranks (8 each)
 * and goes to rank 0. */
START_TEST(lpt_classic)
{
    const double sec[] = {3, 5, 4, 3, 5, 4, 3};
    const long todo[] = {0, 1, 2, 3, 4, 5, 6};
    const int rank_host[] = {0, 0, 0};
    struct plan *p = plan_create_lpt(3, rank_host, 1, NULL, todo, 7, sec);
    ck_assert_ptr_nonnull(p);
    long want[3][LMAXT] = {{1, 0, 6}, {4, 3}, {2, 5}};
    long nwant[] = {3, 2, 2};
    ck_assert(plan_predicted_makespan(p) == 11);
    errno = 0;
    ck_assert_int_eq(plan_return(p, 1), -1); /* static: the shards stay with their rank */
    ck_assert_int_eq(errno, EINVAL);
    assert_lists(p, 3, want, nwant);
    plan_destroy(p);
}
END_TEST

/* Uneven speeds: host 1 (rank 2) three times as fast as host 0 (ranks 0
 * and 1). The 12 s shard goes to the fast host (4 s there, 12 on the slow
 * ones) although the slow ranks come first; the 6 ends at 6 on ranks 0 and 2
 * alike and goes to rank 0; a 3 then ends first on rank 1 (3), the other on
 * rank 2 (4 + 1). */
START_TEST(lpt_fast_host_gets_longest)
{
    const double sec[] = {3, 12, 3, 6};
    const long todo[] = {0, 1, 2, 3};
    const int rank_host[] = {0, 0, 1};
    const double speed[] = {1, 3};
    struct plan *p = plan_create_lpt(3, rank_host, 2, speed, todo, 4, sec);
    ck_assert_ptr_nonnull(p);
    long want[3][LMAXT] = {{3}, {0}, {1, 2}};
    long nwant[] = {1, 1, 2};
    ck_assert(plan_predicted_makespan(p) == 6);
    assert_lists(p, 3, want, nwant);
    plan_destroy(p);
}
END_TEST

/* An unhealthy host (speed 0) gets nothing, however much there is. */
START_TEST(lpt_unhealthy_host_gets_nothing)
{
    double sec[20];
    long todo[20];
    for (int i = 0; i < 20; i++) {
        sec[i] = 1 + i % 4;
        todo[i] = i;
    }
    const int rank_host[] = {0, 1, 0, 1};
    const double speed[] = {0, 2};
    struct plan *p = plan_create_lpt(4, rank_host, 2, speed, todo, 20, sec);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(plan_rank_count(p, 0), 0);
    ck_assert_int_eq(plan_rank_count(p, 2), 0);
    ck_assert_int_eq(plan_rank_count(p, 1) + plan_rank_count(p, 3), 20);
    ck_assert_int_eq(plan_next(p, 0), -1);
    /* 50 s of work (five each of 4, 3, 2 and 1) on two ranks of speed 2
     * ends even: 25 s each at speed 1, 12.5 at speed 2 */
    ck_assert(plan_predicted_makespan(p) == 12.5);
    plan_destroy(p);
}
END_TEST

/* Every host with a rank at speed 0: none is excluded, all count as 1, the
 * same plan as speed NULL (a host without ranks at speed 1 changes nothing). */
START_TEST(lpt_all_zero_speeds)
{
    const double sec[] = {7, 1, 4, 4, 2, 9};
    const long todo[] = {5, 4, 3, 2, 1, 0};
    const int rank_host[] = {0, 2, 0};
    const double zero[] = {0, 1, 0};
    struct plan *want = plan_create_lpt(3, rank_host, 3, NULL, todo, 6, sec);
    struct plan *got = plan_create_lpt(3, rank_host, 3, zero, todo, 6, sec);
    ck_assert_ptr_nonnull(want);
    ck_assert_ptr_nonnull(got);
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(plan_rank_count(got, r), plan_rank_count(want, r));
        ck_assert_int_gt(plan_rank_count(got, r), 0);
        for (long i = 0; i < plan_rank_count(want, r); i++)
            ck_assert_int_eq(plan_rank_shard(got, r, i), plan_rank_shard(want, r, i));
    }
    /* 9 | 7 | 4 4 ... : 9; 7; 4+4=8; then 2 on rank 1 (9), 1 on rank 2 (9) */
    ck_assert(plan_predicted_makespan(got) == 9);
    plan_destroy(want);
    plan_destroy(got);
}
END_TEST

/* Unknown shards count as the median of todo's known ones (8 2 4: 4; the
 * 100 of shard 5, not in todo, does not count), placed among the known ones
 * in todo's order; with none known each counts 1 and the makespan is NAN;
 * with no shards it is 0. */
START_TEST(lpt_unknown_shards)
{
    const double sec[] = {NAN, 8, 2, NAN, 4, 100};
    const long todo[] = {0, 1, 2, 3, 4};
    const int rank_host[] = {0, 0};
    struct plan *p = plan_create_lpt(2, rank_host, 1, NULL, todo, 5, sec);
    ck_assert_ptr_nonnull(p);
    /* 1 (8) r0; 0 (4) r1; 3 (4) r1: 8; 4 (4) ties at 12, r0; 2 (2) r1: 10 */
    long want[2][LMAXT] = {{1, 4}, {0, 3, 2}};
    long nwant[] = {2, 3};
    ck_assert(plan_predicted_makespan(p) == 12);
    assert_lists(p, 2, want, nwant);
    plan_destroy(p);

    const double none[] = {NAN, NAN, NAN};
    const long three[] = {2, 0, 1};
    p = plan_create_lpt(2, rank_host, 1, NULL, three, 3, none);
    ck_assert_ptr_nonnull(p);
    long want2[2][LMAXT] = {{2, 1}, {0}};
    long nwant2[] = {2, 1};
    ck_assert(isnan(plan_predicted_makespan(p)));
    assert_lists(p, 2, want2, nwant2);
    plan_destroy(p);

    p = plan_create_lpt(2, rank_host, 1, NULL, three, 0, none);
    ck_assert_ptr_nonnull(p);
    ck_assert(plan_predicted_makespan(p) == 0);
    ck_assert_int_eq(plan_rank_count(p, 0) + plan_rank_count(p, 1), 0);
    ck_assert_int_eq(plan_next(p, 1), -1);
    plan_destroy(p);
}
END_TEST

static void assert_lpt_einval(int nranks, const int *rank_host, int nhosts, const double *speed,
                              long ntodo, const double *sec, const char *what)
{
    const long todo[] = {0, 1};
    errno = 0;
    struct plan *p = plan_create_lpt(nranks, rank_host, nhosts, speed, todo, ntodo, sec);
    ck_assert_msg(p == NULL && errno == EINVAL, "%s: not refused with EINVAL", what);
    plan_destroy(p);
}

START_TEST(lpt_errors)
{
    const int rh[] = {0, 1};
    const double ok[] = {1, 1}, sec[] = {1, NAN};
    assert_lpt_einval(0, rh, 2, ok, 2, sec, "no ranks");
    assert_lpt_einval(2, rh, 0, ok, 2, sec, "no hosts");
    assert_lpt_einval(2, rh, 1, ok, 2, sec, "rank_host == nhosts");
    assert_lpt_einval(2, (int[]){0, -1}, 2, ok, 2, sec, "rank_host < 0");
    assert_lpt_einval(2, rh, 2, ok, -1, sec, "ntodo < 0");
    assert_lpt_einval(2, rh, 2, (double[]){1, -0.5}, 2, sec, "negative speed");
    assert_lpt_einval(2, rh, 2, (double[]){INFINITY, 1}, 2, sec, "infinite speed");
    assert_lpt_einval(2, rh, 2, (double[]){1, NAN}, 2, sec, "NAN speed");
    assert_lpt_einval(2, rh, 2, ok, 2, (double[]){1, -1}, "negative seconds");
    assert_lpt_einval(2, rh, 2, ok, 2, (double[]){INFINITY, 1}, "infinite seconds");
    /* the plans made otherwise predict nothing */
    struct plan *p = plan_create_dynamic(1, (long[]){0}, 1);
    ck_assert(isnan(plan_predicted_makespan(p)));
    plan_destroy(p);
    p = plan_create_static(2, rh, 2, (long[]){1, 1}, (long[]){0, 1}, 2);
    ck_assert(isnan(plan_predicted_makespan(p)));
    plan_destroy(p);
}
END_TEST

/* Random small cases against oracle_lpt and the brute-force optimum: the
 * plan is the oracle's (so a partition of todo, each list longest first,
 * nothing on a rank of speed 0), its predicted makespan is its own lists'
 * recomputed, and LPT is within its known bound of the optimum: 4/3 -
 * 1/(3m) for m equal ranks (Graham 1969), 2m/(m+1) for uneven speeds
 * (Gonzalez, Ibarra and Sahni 1977). Seconds are whole and speeds powers of
 * two, so every sum is exact and compared with ==. */
START_TEST(lpt_random_oracle)
{
    static const double speeds[] = {0, 0.5, 1, 2, 4};
    unsigned long long st = 1313;
    long ncompared = 0;
    for (int round = 0; round < 4000; round++) {
        struct lcase c = {0};
        c.nranks = (int)unit_rand_range(&st, 1, LMAXR);
        c.nhosts = (int)unit_rand_range(&st, 1, LMAXR);
        for (int r = 0; r < c.nranks; r++)
            c.rank_host[r] = (int)unit_rand_range(&st, 0, c.nhosts - 1);
        long mode = unit_rand_range(&st, 0, 2); /* NULL, all equal, uneven */
        double same = speeds[unit_rand_range(&st, 1, 4)];
        for (int h = 0; h < c.nhosts; h++)
            c.speedv[h] = mode == 1 ? same : speeds[unit_rand_range(&st, 0, 4)];
        c.speed = mode == 0 ? NULL : c.speedv;
        c.ntodo = unit_rand_range(&st, 0, LMAXT);
        long pool[LMAXS];
        for (long i = 0; i < LMAXS; i++) {
            long kind = unit_rand_range(&st, 0, 5);
            c.seconds[i] = kind == 0 ? NAN : (double)unit_rand_range(&st, kind == 1 ? 0 : 1, 9);
            pool[i] = i;
        }
        for (long k = 0; k < c.ntodo; k++) { /* a random subset in random order */
            long j = unit_rand_range(&st, k, LMAXS - 1);
            c.todo[k] = pool[j];
            pool[j] = pool[k];
        }
        struct plan *p =
            plan_create_lpt(c.nranks, c.rank_host, c.nhosts, c.speed, c.todo, c.ntodo, c.seconds);
        ck_assert_ptr_nonnull(p);

        long want[LMAXR][LMAXT], nwant[LMAXR];
        double cnt[LMAXS], rspeed[LMAXR];
        double mk = oracle_lpt(&c, want, nwant, cnt, rspeed);
        double opt = brute_optimum(&c, cnt, rspeed);

        /* the plan's own makespan, recomputed from its lists */
        double own = 0;
        int known = 0;
        for (long k = 0; k < c.ntodo; k++)
            known |= !isnan(c.seconds[c.todo[k]]);
        for (int r = 0; r < c.nranks; r++) {
            double load = 0;
            for (long i = 0; i < plan_rank_count(p, r); i++) {
                unit_require(rspeed[r] > 0, "round %d: rank %d of speed 0 got a shard", round, r);
                load += cnt[plan_rank_shard(p, r, i)] / rspeed[r];
                if (i > 0) { /* longest first (ties: the oracle's lists) */
                    long a = plan_rank_shard(p, r, i - 1), b = plan_rank_shard(p, r, i);
                    unit_require(cnt[a] >= cnt[b], "round %d: rank %d not longest first", round, r);
                }
            }
            own = load > own ? load : own;
        }
        double pm = plan_predicted_makespan(p);
        if (known || c.ntodo == 0)
            unit_require(pm == own, "round %d: predicted makespan %g, the plan's own %g", round, pm,
                         own);
        else
            unit_require(isnan(pm), "round %d: nothing known, makespan %g", round, pm);
        unit_require(own == mk, "round %d: makespan %g, the oracle's %g", round, own, mk);

        /* the bound, on the ranks that may run shards */
        int m = 0, equal = 1, first = -1;
        for (int r = 0; r < c.nranks; r++)
            if (rspeed[r] > 0) {
                m++;
                equal &= first < 0 || rspeed[r] == rspeed[first];
                first = first < 0 ? r : first;
            }
        unit_require(mk >= opt, "round %d: LPT %g beats the optimum %g", round, mk, opt);
        if (equal)
            unit_require(3.0 * m * mk <= (4.0 * m - 1) * opt,
                         "round %d: LPT %g over 4/3 - 1/(3m) of the optimum %g (m=%d)", round, mk,
                         opt, m);
        else
            unit_require(mk * (m + 1) <= 2.0 * m * opt,
                         "round %d: LPT %g over 2m/(m+1) of the optimum %g (m=%d)", round, mk, opt,
                         m);
        ncompared += mk > opt;

        /* the lists themselves (a partition of todo: the oracle's is) */
        assert_lists(p, c.nranks, want, nwant);
        plan_destroy(p);
    }
    ck_assert_int_gt(ncompared, 0); /* some cases where LPT is not optimal */
}
END_TEST

static Suite *plan_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("shares");
    tcase_add_test(tc, shares_proportional);
    tcase_add_test(tc, shares_largest_remainder);
    tcase_add_test(tc, shares_all_zero_is_even);
    tcase_add_test(tc, shares_zero_weight_gets_nothing);
    tcase_add_test(tc, shares_errors);
    tcase_add_test(tc, shares_large_numbers);
    tcase_add_test(tc, shares_random_oracle);
    suite_add_tcase(s, tc);

    tc = tcase_create("static");
    tcase_add_test(tc, static_two_hosts);
    tcase_add_test(tc, static_todo_values_not_positions);
    tcase_add_test(tc, static_no_shards);
    tcase_add_test(tc, static_more_ranks_than_shards);
    tcase_add_test(tc, static_zero_cores_everywhere);
    tcase_add_test(tc, static_host_without_ranks_loses_nothing);
    tcase_add_test(tc, static_errors);
    tcase_add_test(tc, static_rank_out_of_range);
    tcase_add_test(tc, static_random_oracle);
    suite_add_tcase(s, tc);

    tc = tcase_create("dynamic");
    tcase_add_test(tc, dynamic_queue_in_order);
    tcase_add_test(tc, dynamic_empty_and_errors);
    tcase_add_test(tc, dynamic_rank_out_of_range);
    tcase_add_test(tc, dynamic_return_goes_out_first);
    tcase_add_test(tc, static_return_refused);
    tcase_add_test(tc, dynamic_random_oracle);
    tcase_add_test(tc, destroy_null_keeps_errno);
    tcase_add_test(tc, longest_first);
    suite_add_tcase(s, tc);

    tc = tcase_create("lpt");
    tcase_add_test(tc, lpt_classic);
    tcase_add_test(tc, lpt_fast_host_gets_longest);
    tcase_add_test(tc, lpt_unhealthy_host_gets_nothing);
    tcase_add_test(tc, lpt_all_zero_speeds);
    tcase_add_test(tc, lpt_unknown_shards);
    tcase_add_test(tc, lpt_errors);
    tcase_add_test(tc, lpt_random_oracle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(plan_suite());
}
