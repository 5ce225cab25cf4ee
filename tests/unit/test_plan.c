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
    return s;
}

int main(void)
{
    return unit_run(plan_suite());
}
