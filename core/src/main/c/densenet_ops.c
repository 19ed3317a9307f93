/*
 * densenet_ops: TensorFlow CPU kernels for the shift half of the MatMul convolutions
 * (repro.densenet.core.tf.layers.GemmConv2d and GemmTrainConv2d) and for DenseNet's BN-ReLU over
 * a block state's parts (repro.densenet.core.tf.layers.FusedBnRelu; see "batch norm + ReLU"
 * below), loaded into the running TensorFlow with TF_LoadLibrary and built as typed ops
 * (repro.densenet.core.tf.kernels.NativeOps; the ops' signatures there, NativeOp, are checked
 * against the registrations below when the library is loaded).
 *
 * A k x k stride-1 SAME convolution of x [N, H, W, c] with c -> o channels is computed as one
 * MatMul z = x . F ([N*H*W, c] x [c, k*k*o], tap-major columns: tap t = i*k + j owns columns
 * t*o .. t*o + o - 1) and a shift:
 *
 *   DenseShiftAdd     y[n, h, w, r]       = sum over taps t=(i, j) of z[n, h+i-p, w+j-p, t*o + r]
 *   DenseShiftGather  dz[n, h, w, t*o + r] = dy[n, h-i+p, w-j+p, r]     (its adjoint)
 *
 * with p = k / 2 and zero outside the image. TensorFlow has no such op; the depthwise
 * convolution with one-hot filters that stood in for them does k*k multiply-adds per element,
 * these do one add (or one copy). Both are deterministic: every output element is summed in tap
 * order, whatever the thread split.
 *
 * The TensorFlow C API (tensorflow/c/kernels.h, ops.h) is taken from the already loaded
 * libtensorflow_framework.so.2 with dlsym, so no TensorFlow headers or link-time library are
 * needed: only the few declarations below, which follow that stable C ABI.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_DimensionHandle TF_DimensionHandle;

enum { TF_FLOAT = 1, TF_DOUBLE = 2 };
enum { TF_OK = 0, TF_INVALID_ARGUMENT = 3, TF_RESOURCE_EXHAUSTED = 8 };

static struct {
  TF_Status *(*NewStatus)(void);
  void (*DeleteStatus)(TF_Status *);
  int (*GetCode)(const TF_Status *);
  void (*SetStatus)(TF_Status *, int, const char *);
  TF_OpDefinitionBuilder *(*NewOpDefinitionBuilder)(const char *);
  void (*OpDefinitionBuilderAddInput)(TF_OpDefinitionBuilder *, const char *);
  void (*OpDefinitionBuilderAddOutput)(TF_OpDefinitionBuilder *, const char *);
  void (*OpDefinitionBuilderAddAttr)(TF_OpDefinitionBuilder *, const char *);
  void (*OpDefinitionBuilderSetShapeInferenceFunction)(
      TF_OpDefinitionBuilder *, void (*)(TF_ShapeInferenceContext *, TF_Status *));
  void (*RegisterOpDefinition)(TF_OpDefinitionBuilder *, TF_Status *);
  void (*ShapeInferenceContextSetUnknownShape)(TF_ShapeInferenceContext *, TF_Status *);
  int64_t (*ShapeInferenceContextNumInputs)(TF_ShapeInferenceContext *);
  TF_ShapeHandle *(*NewShapeHandle)(void);
  void (*DeleteShapeHandle)(TF_ShapeHandle *);
  void (*ShapeInferenceContextGetInput)(TF_ShapeInferenceContext *, int, TF_ShapeHandle *, TF_Status *);
  void (*ShapeInferenceContextSetOutput)(TF_ShapeInferenceContext *, int, TF_ShapeHandle *, TF_Status *);
  void (*ShapeInferenceContextWithRank)(TF_ShapeInferenceContext *, TF_ShapeHandle *, int64_t, TF_ShapeHandle *,
                                        TF_Status *);
  void (*ShapeInferenceContextSubshape)(TF_ShapeInferenceContext *, TF_ShapeHandle *, int64_t, int64_t,
                                        TF_ShapeHandle *, TF_Status *);
  void (*ShapeInferenceContextConcatenateShapes)(TF_ShapeInferenceContext *, TF_ShapeHandle *, TF_ShapeHandle *,
                                                 TF_ShapeHandle *, TF_Status *);
  TF_ShapeHandle *(*ShapeInferenceContextVectorFromSize)(TF_ShapeInferenceContext *, size_t);
  void (*ShapeInferenceContextDim)(TF_ShapeInferenceContext *, TF_ShapeHandle *, int64_t, TF_DimensionHandle *);
  TF_DimensionHandle *(*NewDimensionHandle)(void);
  void (*DeleteDimensionHandle)(TF_DimensionHandle *);
  int (*DimensionHandleValueKnown)(TF_DimensionHandle *);
  int64_t (*DimensionHandleValue)(TF_DimensionHandle *);
  TF_KernelBuilder *(*NewKernelBuilder)(const char *, const char *, void *(*)(TF_OpKernelConstruction *),
                                        void (*)(void *, TF_OpKernelContext *), void (*)(void *));
  void (*RegisterKernelBuilder)(const char *, TF_KernelBuilder *, TF_Status *);
  void (*GetAttrInt64)(TF_OpKernelConstruction *, const char *, int64_t *, TF_Status *);
  void (*GetAttrFloat)(TF_OpKernelConstruction *, const char *, float *, TF_Status *);
  void (*GetAttrSize)(TF_OpKernelConstruction *, const char *, int32_t *, int32_t *, TF_Status *);
  void (*GetAttrBoolList)(TF_OpKernelConstruction *, const char *, unsigned char *, int, TF_Status *);
  void (*ConstructionFailure)(TF_OpKernelConstruction *, TF_Status *);
  void (*GetInput)(TF_OpKernelContext *, int, TF_Tensor **, TF_Status *);
  TF_Tensor *(*AllocateOutput)(TF_OpKernelContext *, int, int, const int64_t *, int, size_t, TF_Status *);
  TF_Tensor *(*ForwardInputOrAllocateOutput)(TF_OpKernelContext *, const int *, int, int, const int64_t *, int, int *,
                                             TF_Status *);
  void (*ContextFailure)(TF_OpKernelContext *, TF_Status *);
  int (*NumDims)(const TF_Tensor *);
  int64_t (*Dim)(const TF_Tensor *, int);
  void *(*TensorData)(const TF_Tensor *);
  void (*DeleteTensor)(TF_Tensor *);
} tf;

/*
 * Every buffer the kernels allocate comes from checked_alloc: when it cannot be had, the op fails
 * with RESOURCE_EXHAUSTED in its status (its caller checks the status before using the buffer)
 * instead of writing through NULL. For tests, DENSENET_OPS_FAIL_ALLOCATION=k (read when the
 * library is loaded) makes the k-th allocation of the process (counted from 1) fail.
 */
static int64_t fail_allocation; /* 0: never */
static int64_t allocations;

static void *checked_alloc(size_t count, size_t size, int zero, TF_Status *status) {
  if (tf.GetCode(status) != TF_OK) return NULL;
  const int64_t nth = __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
  void *p = nth == fail_allocation ? NULL : zero ? calloc(count, size) : malloc(count * size);
  if (p == NULL) {
    char message[160];
    snprintf(message, sizeof message, "densenet_ops: cannot allocate %zu bytes", count * size);
    tf.SetStatus(status, TF_RESOURCE_EXHAUSTED, message);
  }
  return p;
}

/* ---------------------------------------------------------------- the kernels' arithmetic */

typedef struct {
  const float *in;
  float *out;
  int64_t height, width, outputs; /* o */
  int kernel;
  int64_t row_begin, row_end; /* rows n*H + h */
} Shift;

/*
 * y[n, h, w, :] = sum_t z[n, h+i-p, w+j-p, t*o : t*o+o] for the rows of s. Inlined into one
 * copy per common channel count so that the compiler unrolls and vectorises the channel loop
 * (with o unknown, the loop overhead per tap made this 4x slower).
 */
static inline __attribute__((always_inline)) void shift_add_rows_o(const Shift *s, const int64_t o) {
  const int64_t H = s->height, W = s->width;
  const int k = s->kernel, p = k / 2;
  const int64_t zrow = (int64_t)k * k * o; /* floats per pixel of z */
  for (int64_t row = s->row_begin; row < s->row_end; row++) {
    const int64_t n = row / H, h = row % H;
    const int i0 = h - p < 0 ? (int)(p - h) : 0;
    const int i1 = h - p + k > H ? (int)(H - h + p) : k;
    for (int64_t w = 0; w < W; w++) {
      const int j0 = w - p < 0 ? (int)(p - w) : 0;
      const int j1 = w - p + k > W ? (int)(W - w + p) : k;
      float acc[o];
      for (int64_t r = 0; r < o; r++) acc[r] = 0.0f;
      for (int i = i0; i < i1; i++) {
        const float *zi = s->in + ((n * H + h + i - p) * W + w - p) * zrow + (int64_t)i * k * o;
        for (int j = j0; j < j1; j++) {
          const float *z = zi + j * zrow + (int64_t)j * o;
          for (int64_t r = 0; r < o; r++) acc[r] += z[r];
        }
      }
      float *y = s->out + (row * W + w) * o;
      for (int64_t r = 0; r < o; r++) y[r] = acc[r];
    }
  }
}

static void shift_add_rows(const Shift *s) {
  switch (s->outputs) {
    case 12: shift_add_rows_o(s, 12); break;
    case 16: shift_add_rows_o(s, 16); break;
    case 24: shift_add_rows_o(s, 24); break;
    case 32: shift_add_rows_o(s, 32); break;
    case 40: shift_add_rows_o(s, 40); break;
    case 64: shift_add_rows_o(s, 64); break;
    default: shift_add_rows_o(s, s->outputs); break;
  }
}

/* dz[n, h, w, t*o : t*o+o] = dy[n, h-i+p, w-j+p, :] (zero outside) for the rows of s. */
static void shift_gather_rows(const Shift *s) {
  const int64_t H = s->height, W = s->width, o = s->outputs;
  const int k = s->kernel, p = k / 2;
  const int64_t zrow = (int64_t)k * k * o;
  for (int64_t row = s->row_begin; row < s->row_end; row++) {
    const int64_t n = row / H, h = row % H;
    for (int64_t w = 0; w < W; w++) {
      float *dz = s->out + (row * W + w) * zrow;
      for (int i = 0; i < k; i++) {
        const int64_t hh = h - i + p;
        for (int j = 0; j < k; j++) {
          const int64_t ww = w - j + p;
          float *to = dz + (int64_t)(i * k + j) * o;
          if (hh < 0 || hh >= H || ww < 0 || ww >= W) {
            memset(to, 0, (size_t)o * sizeof(float));
          } else {
            memcpy(to, s->in + ((n * H + hh) * W + ww) * o, (size_t)o * sizeof(float));
          }
        }
      }
    }
  }
}

/*
 * Runs fn(ctx, begin, end) over [0, count) split into contiguous ranges, one per CPU this
 * process may use (its affinity mask; DENSENET_OPS_THREADS overrides), the first on the calling
 * thread and the others on a pool of worker threads started on first use (starting a thread per
 * call cost more than the smaller kernels themselves). Work under 64K floats, and a call made
 * while another one has the pool, run on the calling thread alone.
 */
typedef void (*RangeFn)(void *ctx, int64_t begin, int64_t end);

typedef struct {
  RangeFn fn;
  void *ctx;
  int64_t begin, end;
} Range;

enum { MAX_THREADS = 16 };

static struct {
  pthread_mutex_t dispatch; /* held by the caller whose ranges the workers run */
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  int workers;              /* started */
  uint64_t generation;      /* bumped per dispatch */
  int pending;              /* workers still running the current dispatch */
  Range ranges[MAX_THREADS]; /* ranges[t] for worker t (t >= 1) */
  int active;               /* threads in the current dispatch, caller included */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, {{0}}, 0};

static void *pool_worker(void *arg) {
  const int id = (int)(intptr_t)arg;
  uint64_t seen = 0;
  for (;;) {
    pthread_mutex_lock(&pool.mu);
    while (pool.generation == seen) pthread_cond_wait(&pool.work, &pool.mu);
    seen = pool.generation;
    const int mine = id < pool.active;
    const Range r = pool.ranges[id];
    pthread_mutex_unlock(&pool.mu);
    if (!mine) continue;
    r.fn(r.ctx, r.begin, r.end);
    pthread_mutex_lock(&pool.mu);
    if (--pool.pending == 0) pthread_cond_signal(&pool.done);
    pthread_mutex_unlock(&pool.mu);
  }
  return NULL;
}

static int usable_cpus(void) {
  const char *env = getenv("DENSENET_OPS_THREADS");
  if (env != NULL && atoi(env) > 0) return atoi(env);
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

static void parallel_for(RangeFn fn, void *ctx, int64_t count, int64_t floats) {
  int threads = usable_cpus();
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (floats < (1 << 16)) threads = 1;
  if (threads > count) threads = (int)count;
  if (threads > 1 && pthread_mutex_trylock(&pool.dispatch) != 0) threads = 1;
  if (threads <= 1) {
    if (count > 0) fn(ctx, 0, count);
    return;
  }
  pthread_mutex_lock(&pool.mu);
  while (pool.workers < threads - 1) {
    pthread_t id;
    if (pthread_create(&id, NULL, pool_worker, (void *)(intptr_t)(pool.workers + 1)) != 0) break;
    pthread_detach(id);
    pool.workers++;
  }
  if (threads > pool.workers + 1) threads = pool.workers + 1;
  for (int t = 0; t < threads; t++) {
    pool.ranges[t] = (Range){fn, ctx, count * t / threads, count * (t + 1) / threads};
  }
  pool.active = threads;
  pool.pending = threads - 1;
  pool.generation++;
  pthread_cond_broadcast(&pool.work);
  pthread_mutex_unlock(&pool.mu);
  fn(ctx, pool.ranges[0].begin, pool.ranges[0].end);
  pthread_mutex_lock(&pool.mu);
  while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.mu);
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.dispatch);
}

static void shift_add_range(void *ctx, int64_t begin, int64_t end) {
  Shift s = *(const Shift *)ctx;
  s.row_begin = begin;
  s.row_end = end;
  shift_add_rows(&s);
}

static void shift_gather_range(void *ctx, int64_t begin, int64_t end) {
  Shift s = *(const Shift *)ctx;
  s.row_begin = begin;
  s.row_end = end;
  shift_gather_rows(&s);
}

/* ---------------------------------------------------------------- batch norm + ReLU */

/*
 * Training-mode batch normalisation followed by ReLU over the channel concatenation of parts
 * (DenseNet's BN-ReLU over a block state), without materialising the concatenation:
 *
 *   DensePartSums     (part)                                -> sums [2, c]: sum x, sum x^2 (double)
 *   DenseBnRelu       (parts, sums, gamma, beta)            -> y, mean, variance
 *   DenseBnReluApply  (after, parts, gamma, beta, mean, var) -> y   (the same y, rebuilt)
 *   DenseBnReluGradChain (dy, parts, gamma, beta, mean, var, acc, coef; given, finish)
 *                                                        -> dparts, coefs, dgamma, dbeta
 *
 * DenseBnReluGradChain is the gradient of one BN-ReLU in a chain of BN-ReLUs over the same parts
 * (a dense block's layers, last layer first), each part's gradient a running sum carried from
 * layer to layer. Per channel the gradient is
 *
 *   dx = k1 * g  +  a + b * xhat      (g = dy where x * scale + shift > 0, k1 = gamma * rstd,
 *                                      a = -k1 * sum(g) / M, b = -k1 * sum(g * xhat) / M)
 *
 * and only the first term needs the layer's dy: a and b are per-channel numbers, and xhat is the
 * same in every layer reading the part (the batch statistics of the same values). So a layer
 * that is not the part's first reader ("finish" unset) adds k1 * g to the running sum acc in the
 * pass that also takes the sums (one pass instead of two), and adds its a, b to the part's
 * coefficients coef [2, c] (double); the first reader adds every layer's a + b * xhat at once.
 * acc and coef are given (attribute given) for parts with a later reader; otherwise they are
 * ignored.
 * A part's running sum is written over acc when nothing else reads acc (TensorFlow forwards it).
 *
 * A part's sums are computed once (DensePartSums) and shared by every layer that reads the part.
 * mean and variance are the batch's (variance biased, as used for normalising). With
 * scale = gamma / sqrt(variance + epsilon) and shift = beta - mean * scale, y = max(0, x * scale +
 * shift); the gradient recomputes x * scale + shift for the ReLU mask, so it needs neither y nor
 * the concatenated state. Channel sums are taken per block of BLOCK pixels in double and the
 * blocks added in order: the same bits whatever the number of threads.
 */
enum { BLOCK = 256 };

typedef struct {
  int n;                 /* parts */
  const float **parts;   /* part i: [M, c[i]] */
  const int64_t *c;      /* channels per part */
  const int64_t *offset; /* first channel of part i in the concatenation */
  int64_t channels;      /* C = sum c[i] */
  int64_t pixels;        /* M = N*H*W */
  const float *scale, *shift, *mean, *rstd; /* [C] */
  const float *dy;       /* [M, C] (gradient) */
  float *y;              /* [M, C] (forward) */
  float **dparts;        /* part i: [M, c[i]] (gradient) */
  const float **acc;     /* part i: [M, c[i]] running sum to add to dparts[i], NULL entries for none */
  const int *finish;     /* part i: whether this layer is its first reader in the forward pass */
  const float *k1, *ka, *kb; /* [C] (DenseBnReluGradChain) */
  double *partial;       /* [blocks, 2*C] per-block sums */
} BnRelu;

/*
 * The loops over one part's c channels are inlined into copies for common channel counts (see
 * DISPATCH) so that the compiler unrolls and vectorises them: DenseNet's parts have k = 12 to 40
 * channels, too few for a loop of unknown length to run well. Sums over a block's pixels are
 * kept in float, the blocks' sums in double.
 */
#define DISPATCH(fn, c, ...)                 \
  switch (c) {                               \
    case 12: fn(12, __VA_ARGS__); break;     \
    case 16: fn(16, __VA_ARGS__); break;     \
    case 24: fn(24, __VA_ARGS__); break;     \
    case 32: fn(32, __VA_ARGS__); break;     \
    case 40: fn(40, __VA_ARGS__); break;     \
    case 48: fn(48, __VA_ARGS__); break;     \
    default: fn((c), __VA_ARGS__); break;    \
  }

/* Sum x and x^2 over pixels [m0, m1) of one part into s1, s2 (double). */
static inline __attribute__((always_inline)) void stats_part(const int64_t c, const float *restrict part,
                                                             int64_t m0, int64_t m1, double *restrict s1,
                                                             double *restrict s2) {
  float a1[c], a2[c];
  for (int64_t ch = 0; ch < c; ch++) a1[ch] = a2[ch] = 0.0f;
  for (int64_t m = m0; m < m1; m++) {
    const float *restrict x = part + m * c;
    for (int64_t ch = 0; ch < c; ch++) {
      a1[ch] += x[ch];
      a2[ch] += x[ch] * x[ch];
    }
  }
  for (int64_t ch = 0; ch < c; ch++) {
    s1[ch] += a1[ch];
    s2[ch] += a2[ch];
  }
}
#define STATS_PART(c, ...) stats_part(c, __VA_ARGS__)

/* Per block: sum x and sum x^2 per channel. */
static void bn_stats_range(void *ctx, int64_t begin, int64_t end) {
  const BnRelu *b = ctx;
  const int64_t C = b->channels;
  for (int64_t blk = begin; blk < end; blk++) {
    double *sum = b->partial + blk * 2 * C, *sq = sum + C;
    for (int64_t ch = 0; ch < 2 * C; ch++) sum[ch] = 0.0;
    const int64_t m0 = blk * BLOCK, m1 = m0 + BLOCK < b->pixels ? m0 + BLOCK : b->pixels;
    for (int i = 0; i < b->n; i++) {
      DISPATCH(STATS_PART, b->c[i], b->parts[i], m0, m1, sum + b->offset[i], sq + b->offset[i]);
    }
  }
}

/* y = max(0, x * scale + shift) over pixels [m0, m1) of one part (C: y's row length). */
static inline __attribute__((always_inline)) void apply_part(const int64_t c, const float *restrict part,
                                                             int64_t m0, int64_t m1, const float *restrict scale,
                                                             const float *restrict shift, float *restrict y,
                                                             int64_t C) {
  for (int64_t m = m0; m < m1; m++) {
    const float *restrict x = part + m * c;
    float *restrict row = y + m * C;
    for (int64_t ch = 0; ch < c; ch++) {
      const float z = x[ch] * scale[ch] + shift[ch];
      row[ch] = z > 0.0f ? z : 0.0f;
    }
  }
}
#define APPLY_PART(c, ...) apply_part(c, __VA_ARGS__)

/* y = max(0, x * scale + shift) for pixels [begin, end). */
static void bn_apply_range(void *ctx, int64_t begin, int64_t end) {
  const BnRelu *b = ctx;
  for (int i = 0; i < b->n; i++) {
    const int64_t off = b->offset[i];
    DISPATCH(APPLY_PART, b->c[i], b->parts[i], begin, end, b->scale + off, b->shift + off, b->y + off,
             b->channels);
  }
}

/* g: dy behind the ReLU mask of x * scale + shift. dv is loaded unconditionally (passed by value):
   that lets the compiler vectorise the select. */
static inline __attribute__((always_inline)) float masked_dy(float x, float dv, float scale, float shift) {
  const float z = x * scale + shift;
  return z > 0.0f ? dv : 0.0f;
}

/* Over pixels [m0, m1) of one part: s1 += sum g, s2 += sum g * xhat, g = dy where z > 0. */
static inline __attribute__((always_inline)) void grad_sums_part(
    const int64_t c, const float *restrict part, const float *restrict dy, int64_t C, int64_t m0, int64_t m1,
    const float *restrict scale, const float *restrict shift, const float *restrict mean,
    const float *restrict rstd, double *restrict s1, double *restrict s2) {
  float a1[c], a2[c];
  for (int64_t ch = 0; ch < c; ch++) a1[ch] = a2[ch] = 0.0f;
  for (int64_t m = m0; m < m1; m++) {
    const float *restrict x = part + m * c;
    const float *restrict d = dy + m * C;
    for (int64_t ch = 0; ch < c; ch++) {
      const float g = masked_dy(x[ch], d[ch], scale[ch], shift[ch]);
      a1[ch] += g;
      a2[ch] += g * ((x[ch] - mean[ch]) * rstd[ch]);
    }
  }
  for (int64_t ch = 0; ch < c; ch++) {
    s1[ch] += a1[ch];
    s2[ch] += a2[ch];
  }
}
#define GRAD_SUMS_PART(c, ...) grad_sums_part(c, __VA_ARGS__)

/*
 * The running sum of a part's gradient, written as out = v (no acc), out += v (acc forwarded as
 * out) or out = acc + v: one loop per case, each with unaliased pointers so that it vectorises
 * (acc + v and v + acc are the same float).
 */
#define ACCUMULATE(TERM)                                                     \
  do {                                                                       \
    float *restrict dx = dpart + m * c;                                      \
    if (mode == 0) {                                                         \
      for (int64_t ch = 0; ch < c; ch++) { TERM; dx[ch] = v; }               \
    } else if (mode == 1) {                                                  \
      for (int64_t ch = 0; ch < c; ch++) { TERM; dx[ch] += v; }              \
    } else {                                                                 \
      const float *restrict a = acc + m * c;                                 \
      for (int64_t ch = 0; ch < c; ch++) { TERM; dx[ch] = a[ch] + v; }       \
    }                                                                        \
  } while (0)

/* Over pixels [m0, m1) of one part not finished here: s1 += sum g, s2 += sum g * xhat, out = acc + k1 * g. */
static inline __attribute__((always_inline)) void chain_local_part(
    const int64_t c, const float *restrict part, const float *restrict dy, int64_t C, int64_t m0, int64_t m1,
    const float *restrict scale, const float *restrict shift, const float *restrict mean,
    const float *restrict rstd, const float *restrict k1, const float *acc, float *dpart, double *restrict s1,
    double *restrict s2) {
  const int mode = acc == NULL ? 0 : acc == dpart ? 1 : 2;
  float a1[c], a2[c];
  for (int64_t ch = 0; ch < c; ch++) a1[ch] = a2[ch] = 0.0f;
  for (int64_t m = m0; m < m1; m++) {
    const float *restrict x = part + m * c;
    const float *restrict d = dy + m * C;
#define LOCAL_TERM                                                  \
  const float g = masked_dy(x[ch], d[ch], scale[ch], shift[ch]);    \
  a1[ch] += g;                                                      \
  a2[ch] += g * ((x[ch] - mean[ch]) * rstd[ch]);                    \
  const float v = k1[ch] * g
    ACCUMULATE(LOCAL_TERM);
#undef LOCAL_TERM
  }
  for (int64_t ch = 0; ch < c; ch++) {
    s1[ch] += a1[ch];
    s2[ch] += a2[ch];
  }
}
#define CHAIN_LOCAL_PART(c, ...) chain_local_part(c, __VA_ARGS__)

/* Per block: the sums of every part; the running sums of the parts not finished here. */
static void bn_chain_local_range(void *ctx, int64_t begin, int64_t end) {
  const BnRelu *b = ctx;
  const int64_t C = b->channels;
  for (int64_t blk = begin; blk < end; blk++) {
    double *sg = b->partial + blk * 2 * C, *sgx = sg + C;
    for (int64_t ch = 0; ch < 2 * C; ch++) sg[ch] = 0.0;
    const int64_t m0 = blk * BLOCK, m1 = m0 + BLOCK < b->pixels ? m0 + BLOCK : b->pixels;
    for (int i = 0; i < b->n; i++) {
      const int64_t off = b->offset[i];
      if (b->finish[i]) {
        DISPATCH(GRAD_SUMS_PART, b->c[i], b->parts[i], b->dy + off, C, m0, m1, b->scale + off, b->shift + off,
                 b->mean + off, b->rstd + off, sg + off, sgx + off);
      } else {
        DISPATCH(CHAIN_LOCAL_PART, b->c[i], b->parts[i], b->dy + off, C, m0, m1, b->scale + off, b->shift + off,
                 b->mean + off, b->rstd + off, b->k1 + off, b->acc[i], b->dparts[i], sg + off, sgx + off);
      }
    }
  }
}

/* Over pixels [m0, m1) of one part finished here: out = acc + (k1 * g + (ka + kb * xhat)). */
static inline __attribute__((always_inline)) void chain_finish_part(
    const int64_t c, const float *restrict part, const float *restrict dy, int64_t C, int64_t m0, int64_t m1,
    const float *restrict scale, const float *restrict shift, const float *restrict mean,
    const float *restrict rstd, const float *restrict k1, const float *restrict ka, const float *restrict kb,
    const float *acc, float *dpart) {
  const int mode = acc == NULL ? 0 : acc == dpart ? 1 : 2;
  for (int64_t m = m0; m < m1; m++) {
    const float *restrict x = part + m * c;
    const float *restrict d = dy + m * C;
#define FINISH_TERM                                                 \
  const float g = masked_dy(x[ch], d[ch], scale[ch], shift[ch]);    \
  const float xhat = (x[ch] - mean[ch]) * rstd[ch];                 \
  const float v = k1[ch] * g + (ka[ch] + kb[ch] * xhat)
    ACCUMULATE(FINISH_TERM);
#undef FINISH_TERM
  }
}
#define CHAIN_FINISH_PART(c, ...) chain_finish_part(c, __VA_ARGS__)

/* The gradients of the parts finished here, pixels [begin, end). */
static void bn_chain_finish_range(void *ctx, int64_t begin, int64_t end) {
  const BnRelu *b = ctx;
  const int64_t C = b->channels;
  for (int i = 0; i < b->n; i++) {
    if (!b->finish[i]) continue;
    const int64_t off = b->offset[i];
    DISPATCH(CHAIN_FINISH_PART, b->c[i], b->parts[i], b->dy + off, C, begin, end, b->scale + off, b->shift + off,
             b->mean + off, b->rstd + off, b->k1 + off, b->ka + off, b->kb + off, b->acc[i], b->dparts[i]);
  }
}
#undef ACCUMULATE

/* Adds the per-block sums in block order into out1, out2 [C]. */
static void sum_blocks(const BnRelu *b, int64_t blocks, double *out1, double *out2) {
  const int64_t C = b->channels;
  for (int64_t ch = 0; ch < C; ch++) out1[ch] = out2[ch] = 0.0;
  for (int64_t blk = 0; blk < blocks; blk++) {
    const double *p = b->partial + blk * 2 * C;
    for (int64_t ch = 0; ch < C; ch++) {
      out1[ch] += p[ch];
      out2[ch] += p[C + ch];
    }
  }
}

/* scale, shift and rstd from mean and (biased) variance: one formula for every op. */
static void bn_coefficients(int64_t C, const float *gamma, const float *beta, const float *mean,
                            const float *variance, float epsilon, float *scale, float *shift, float *rstd) {
  for (int64_t ch = 0; ch < C; ch++) {
    rstd[ch] = 1.0f / sqrtf(variance[ch] + epsilon);
    scale[ch] = gamma[ch] * rstd[ch];
    shift[ch] = beta[ch] - mean[ch] * scale[ch];
  }
}

/* ---------------------------------------------------------------- TensorFlow glue */

typedef struct {
  int64_t kernel;
} ShiftKernel;

static void *shift_create(TF_OpKernelConstruction *ctx) {
  TF_Status *status = tf.NewStatus();
  ShiftKernel *self = checked_alloc(1, sizeof(ShiftKernel), 1, status);
  if (self != NULL) tf.GetAttrInt64(ctx, "kernel", &self->kernel, status);
  if (tf.GetCode(status) == TF_OK && (self->kernel < 1 || self->kernel % 2 == 0)) {
    tf.SetStatus(status, TF_INVALID_ARGUMENT, "kernel must be a positive odd number");
  }
  if (tf.GetCode(status) != TF_OK) tf.ConstructionFailure(ctx, status);
  tf.DeleteStatus(status);
  return self;
}


/* gather = 0: [N, H, W, k*k*o] -> [N, H, W, o]; gather = 1: [N, H, W, o] -> [N, H, W, k*k*o]. */
static void shift_compute(ShiftKernel *self, TF_OpKernelContext *ctx, int gather) {
  TF_Status *status = tf.NewStatus();
  TF_Tensor *in = NULL;
  tf.GetInput(ctx, 0, &in, status);
  if (tf.GetCode(status) != TF_OK) {
    tf.ContextFailure(ctx, status);
    tf.DeleteStatus(status);
    return;
  }
  const int64_t taps = self->kernel * self->kernel;
  char message[200];
  if (tf.NumDims(in) != 4) {
    snprintf(message, sizeof message, "%s: input must have rank 4 (NHWC), has rank %d",
             gather ? "DenseShiftGather" : "DenseShiftAdd", tf.NumDims(in));
    tf.SetStatus(status, TF_INVALID_ARGUMENT, message);
  } else if (!gather && tf.Dim(in, 3) % taps != 0) {
    snprintf(message, sizeof message,
             "DenseShiftAdd: input channels (%lld) must be a multiple of kernel*kernel (%lld)",
             (long long)tf.Dim(in, 3), (long long)taps);
    tf.SetStatus(status, TF_INVALID_ARGUMENT, message);
  }
  if (tf.GetCode(status) == TF_OK) {
    const int64_t N = tf.Dim(in, 0), H = tf.Dim(in, 1), W = tf.Dim(in, 2), C = tf.Dim(in, 3);
    const int64_t o = gather ? C : C / taps;
    int64_t dims[4] = {N, H, W, gather ? C * taps : o};
    const int64_t count = N * H * W * dims[3];
    TF_Tensor *out = tf.AllocateOutput(ctx, 0, TF_FLOAT, dims, 4, (size_t)count * sizeof(float), status);
    if (tf.GetCode(status) == TF_OK) {
      if (count > 0) {
        Shift whole = {(const float *)tf.TensorData(in), (float *)tf.TensorData(out), H, W, o,
                       (int)self->kernel, 0, 0};
        parallel_for(gather ? shift_gather_range : shift_add_range, &whole, N * H, count + N * H * W * C);
      }
      tf.DeleteTensor(out);
    }
  }
  if (tf.GetCode(status) != TF_OK) tf.ContextFailure(ctx, status);
  tf.DeleteTensor(in);
  tf.DeleteStatus(status);
}

static void shift_add_compute(void *self, TF_OpKernelContext *ctx) { shift_compute(self, ctx, 0); }
static void shift_gather_compute(void *self, TF_OpKernelContext *ctx) { shift_compute(self, ctx, 1); }

enum { BN_FORWARD = 0, BN_APPLY = 1, BN_PART_SUMS = 2, BN_GRAD_CHAIN = 3 };
static const char *const BN_NAMES[] = {"DenseBnRelu", "DenseBnReluApply", "DensePartSums", "DenseBnReluGradChain"};

typedef struct {
  int kind;
  int64_t n;
  float epsilon;
  /* DenseBnReluGradChain, per part: given[i] (acc and coef are given: the part has a later
     reader), then finish[i] (this layer is the part's first reader): 2 * n entries */
  unsigned char chain[];
} BnKernel;

static const unsigned char *chain_given(const BnKernel *k) { return k->chain; }
static const unsigned char *chain_finish(const BnKernel *k) { return k->chain + k->n; }

/* Reads the bool list attribute `name` of n entries into out. */
static void get_bool_list(TF_OpKernelConstruction *ctx, const char *op, const char *name, int64_t n,
                          unsigned char *out, TF_Status *status) {
  int32_t size = -1, total = -1;
  tf.GetAttrSize(ctx, name, &size, &total, status);
  if (tf.GetCode(status) == TF_OK && size != n) {
    char message[160];
    snprintf(message, sizeof message, "%s: %s has %d entries for %lld parts", op, name, (int)size, (long long)n);
    tf.SetStatus(status, TF_INVALID_ARGUMENT, message);
  }
  if (tf.GetCode(status) == TF_OK) tf.GetAttrBoolList(ctx, name, out, (int)n, status);
}

static void *bn_create(TF_OpKernelConstruction *ctx, int kind) {
  TF_Status *status = tf.NewStatus();
  int64_t n = 1;
  if (kind != BN_PART_SUMS) tf.GetAttrInt64(ctx, "N", &n, status);
  BnKernel *self = checked_alloc(1, sizeof(BnKernel) + (size_t)(n > 0 ? 2 * n : 1), 1, status);
  if (self != NULL) {
    self->kind = kind;
    self->n = n;
  }
  if (kind != BN_PART_SUMS && tf.GetCode(status) == TF_OK) tf.GetAttrFloat(ctx, "epsilon", &self->epsilon, status);
  if (kind == BN_GRAD_CHAIN && tf.GetCode(status) == TF_OK) {
    get_bool_list(ctx, BN_NAMES[kind], "given", n, self->chain, status);
    if (tf.GetCode(status) == TF_OK) get_bool_list(ctx, BN_NAMES[kind], "finish", n, self->chain + n, status);
  }
  if (tf.GetCode(status) != TF_OK) tf.ConstructionFailure(ctx, status);
  tf.DeleteStatus(status);
  return self;
}

static void *bn_forward_create(TF_OpKernelConstruction *ctx) { return bn_create(ctx, BN_FORWARD); }
static void *bn_apply_create(TF_OpKernelConstruction *ctx) { return bn_create(ctx, BN_APPLY); }
static void *part_sums_create(TF_OpKernelConstruction *ctx) { return bn_create(ctx, BN_PART_SUMS); }
static void *bn_grad_chain_create(TF_OpKernelConstruction *ctx) { return bn_create(ctx, BN_GRAD_CHAIN); }

static int has_shape(const TF_Tensor *t, int rank, const int64_t *dims) {
  if (tf.NumDims(t) != rank) return 0;
  for (int d = 0; d < rank; d++) {
    if (tf.Dim(t, d) != dims[d]) return 0;
  }
  return 1;
}

/*
 * What the four batch-norm kernels share: their inputs, read and checked (the parts: rank 4, the
 * same N, H, W; the per-channel vectors: [C]), and the scratch buffers of the arithmetic. Each
 * kernel's compute function reads them with bn_begin, does its own op, and ends with bn_end,
 * which reports a failure and releases everything.
 */
typedef struct {
  const BnKernel *self;
  const char *name;
  TF_OpKernelContext *ctx;
  TF_Status *status;
  int n;                  /* parts */
  int inputs;             /* the op's inputs */
  TF_Tensor **in;         /* [inputs] */
  const float **parts;    /* [n] */
  float **dparts;         /* [n] (gradient) */
  int64_t *c, *offset;    /* [n]: channels and first channel of each part */
  int64_t C, M, blocks;   /* channels, pixels, blocks of BLOCK pixels */
  int64_t dims[4];        /* N, H, W, C */
  float *coefficients;    /* [5C + 1]: mean, variance, scale, shift, rstd */
  double *partial;        /* [blocks * 2C + 1] */
  double *sums;           /* [2C + 1] */
  char message[256];
} BnOp;

/* Fails the op with op->message as INVALID_ARGUMENT if one was written; returns whether none was. */
static int bn_check(BnOp *op) {
  if (op->message[0] != 0) tf.SetStatus(op->status, TF_INVALID_ARGUMENT, op->message);
  return tf.GetCode(op->status) == TF_OK;
}

/*
 * Reads the op's `inputs` inputs, the n parts from input `first`, checks the parts and the
 * vectors [vectors, vectors + count) to be [C], and allocates the scratch. Returns whether all
 * went well (otherwise the status says why).
 */
static int bn_begin(BnOp *op, void *arg, TF_OpKernelContext *ctx, int inputs, int first, int vectors, int count) {
  const BnKernel *self = arg;
  memset(op, 0, sizeof *op);
  op->self = self;
  op->name = BN_NAMES[self->kind];
  op->ctx = ctx;
  op->status = tf.NewStatus();
  op->n = (int)self->n;
  op->inputs = inputs;
  const int n = op->n;
  TF_Status *status = op->status;
  op->in = checked_alloc((size_t)inputs, sizeof(TF_Tensor *), 1, status);
  op->parts = checked_alloc((size_t)n, sizeof(float *), 1, status);
  op->dparts = checked_alloc((size_t)n, sizeof(float *), 1, status);
  op->c = checked_alloc((size_t)n, sizeof(int64_t), 1, status);
  op->offset = checked_alloc((size_t)n, sizeof(int64_t), 1, status);
  for (int i = 0; i < inputs && tf.GetCode(status) == TF_OK; i++) tf.GetInput(ctx, i, &op->in[i], status);
  if (tf.GetCode(status) != TF_OK) return 0;
  char *message = op->message;
  int64_t *dims = op->dims;
  for (int i = 0; i < n && message[0] == 0; i++) {
    const TF_Tensor *t = op->in[first + i];
    if (tf.NumDims(t) != 4) {
      snprintf(message, sizeof op->message, "%s: part %d must have rank 4 (NHWC), has rank %d", op->name, i,
               tf.NumDims(t));
      break;
    }
    if (i == 0) {
      for (int d = 0; d < 3; d++) dims[d] = tf.Dim(t, d);
    } else if (tf.Dim(t, 0) != dims[0] || tf.Dim(t, 1) != dims[1] || tf.Dim(t, 2) != dims[2]) {
      snprintf(message, sizeof op->message, "%s: part %d is not %lldx%lldx%lld like part 0", op->name, i,
               (long long)dims[0], (long long)dims[1], (long long)dims[2]);
    }
    op->c[i] = tf.Dim(t, 3);
    op->offset[i] = op->C;
    op->C += op->c[i];
    op->parts[i] = tf.TensorData(t);
  }
  dims[3] = op->C;
  for (int v = vectors; v < vectors + count && message[0] == 0; v++) {
    if (!has_shape(op->in[v], 1, &op->C)) {
      snprintf(message, sizeof op->message, "%s: input %d must be a vector of the %lld channels", op->name, v,
               (long long)op->C);
    }
  }
  return bn_check(op);
}

/* Allocates the scratch buffers for the parts' pixels and channels; returns whether it could. */
static int bn_scratch(BnOp *op) {
  op->M = op->dims[0] * op->dims[1] * op->dims[2];
  op->blocks = (op->M + BLOCK - 1) / BLOCK;
  const int64_t C = op->C;
  op->coefficients = checked_alloc((size_t)(5 * C + 1), sizeof(float), 0, op->status);
  op->partial = checked_alloc((size_t)(op->blocks * 2 * C + 1), sizeof(double), 0, op->status);
  op->sums = checked_alloc((size_t)(2 * C + 1), sizeof(double), 0, op->status);
  return tf.GetCode(op->status) == TF_OK;
}

/* The arithmetic's view of the op: parts, channels and the coefficient buffers. */
static BnRelu bn_relu_of(const BnOp *op) {
  const int64_t C = op->C;
  float *k = op->coefficients;
  BnRelu b = {.n = op->n, .parts = op->parts, .c = op->c, .offset = op->offset, .channels = C, .pixels = op->M,
              .scale = k + 2 * C, .shift = k + 3 * C, .mean = k, .rstd = k + 4 * C,
              .dy = NULL, .y = NULL, .dparts = op->dparts, .acc = NULL,
              .partial = op->partial};
  return b;
}

/* Reports a failure to the context and releases the inputs, buffers and status. */
static void bn_end(BnOp *op) {
  if (tf.GetCode(op->status) != TF_OK) tf.ContextFailure(op->ctx, op->status);
  for (int i = 0; op->in != NULL && i < op->inputs; i++) {
    if (op->in[i] != NULL) tf.DeleteTensor(op->in[i]);
  }
  free(op->in);
  free(op->parts);
  free(op->dparts);
  free(op->c);
  free(op->offset);
  free(op->coefficients);
  free(op->partial);
  free(op->sums);
  tf.DeleteStatus(op->status);
}

/* Allocates output `index` as float [C] and copies `values` into it. */
static void bn_output_vector(BnOp *op, int index, const float *values) {
  if (tf.GetCode(op->status) != TF_OK) return;
  TF_Tensor *t = tf.AllocateOutput(op->ctx, index, TF_FLOAT, &op->C, 1, (size_t)op->C * sizeof(float), op->status);
  if (tf.GetCode(op->status) == TF_OK) {
    memcpy(tf.TensorData(t), values, (size_t)op->C * sizeof(float));
    tf.DeleteTensor(t);
  }
}

/* Output 0: y = relu(x * scale + shift) over the parts, [N, H, W, C]. */
static void bn_output_y(BnOp *op, BnRelu *b) {
  if (tf.GetCode(op->status) != TF_OK) return;
  TF_Tensor *t = tf.AllocateOutput(op->ctx, 0, TF_FLOAT, op->dims, 4, (size_t)(op->M * op->C) * sizeof(float),
                                   op->status);
  if (tf.GetCode(op->status) == TF_OK) {
    b->y = tf.TensorData(t);
    parallel_for(bn_apply_range, b, op->M, 2 * op->M * op->C);
    tf.DeleteTensor(t);
  }
}

/* DensePartSums (part) -> sums [2, c]: sum x and sum x^2 per channel, in double. */
static void part_sums_compute(void *arg, TF_OpKernelContext *ctx) {
  BnOp op;
  if (bn_begin(&op, arg, ctx, 1, 0, 0, 0) && bn_scratch(&op)) {
    BnRelu b = bn_relu_of(&op);
    parallel_for(bn_stats_range, &b, op.blocks, op.M * op.C);
    const int64_t sums_dims[2] = {2, op.C};
    TF_Tensor *t =
        tf.AllocateOutput(ctx, 0, TF_DOUBLE, sums_dims, 2, (size_t)(2 * op.C) * sizeof(double), op.status);
    if (tf.GetCode(op.status) == TF_OK) {
      sum_blocks(&b, op.blocks, tf.TensorData(t), (double *)tf.TensorData(t) + op.C);
      tf.DeleteTensor(t);
    }
  }
  bn_end(&op);
}

/* DenseBnRelu (parts, sums, gamma, beta) -> y, mean, variance: the batch's statistics from the sums. */
static void bn_relu_compute(void *arg, TF_OpKernelContext *ctx) {
  BnOp op;
  const int n = (int)((const BnKernel *)arg)->n;
  if (bn_begin(&op, arg, ctx, 2 * n + 2, 0, 2 * n, 2)) {
    for (int i = 0; i < n && op.message[0] == 0; i++) {
      const int64_t sums_dims[2] = {2, op.c[i]};
      if (!has_shape(op.in[n + i], 2, sums_dims)) {
        snprintf(op.message, sizeof op.message, "%s: sums %d must be 2x%lld (DensePartSums of part %d)", op.name, i,
                 (long long)op.c[i], i);
      }
    }
  }
  if (bn_check(&op) && bn_scratch(&op)) {
    const int64_t C = op.C, M = op.M;
    BnRelu b = bn_relu_of(&op);
    float *mean = op.coefficients, *variance = op.coefficients + C;
    double *sums = op.sums;
    for (int i = 0; i < n; i++) {
      const double *part_sums = tf.TensorData(op.in[n + i]);
      memcpy(sums + op.offset[i], part_sums, (size_t)op.c[i] * sizeof(double));
      memcpy(sums + C + op.offset[i], part_sums + op.c[i], (size_t)op.c[i] * sizeof(double));
    }
    for (int64_t ch = 0; ch < C; ch++) {
      const double mu = M > 0 ? sums[ch] / (double)M : 0.0;
      const double var = M > 0 ? sums[C + ch] / (double)M - mu * mu : 0.0;
      mean[ch] = (float)mu;
      variance[ch] = (float)(var > 0.0 ? var : 0.0);
    }
    bn_coefficients(C, tf.TensorData(op.in[2 * n]), tf.TensorData(op.in[2 * n + 1]), mean, variance,
                    op.self->epsilon, (float *)b.scale, (float *)b.shift, (float *)b.rstd);
    bn_output_y(&op, &b);
    bn_output_vector(&op, 1, mean);
    bn_output_vector(&op, 2, variance);
  }
  bn_end(&op);
}

/* DenseBnReluApply (after, parts, gamma, beta, mean, variance) -> y from the given statistics. */
static void bn_relu_apply_compute(void *arg, TF_OpKernelContext *ctx) {
  BnOp op;
  const int n = (int)((const BnKernel *)arg)->n;
  if (bn_begin(&op, arg, ctx, n + 5, 1, n + 1, 4) && bn_scratch(&op)) {
    const int64_t C = op.C;
    BnRelu b = bn_relu_of(&op);
    float *mean = op.coefficients, *variance = op.coefficients + C;
    memcpy(mean, tf.TensorData(op.in[n + 3]), (size_t)C * sizeof(float));
    memcpy(variance, tf.TensorData(op.in[n + 4]), (size_t)C * sizeof(float));
    bn_coefficients(C, tf.TensorData(op.in[n + 1]), tf.TensorData(op.in[n + 2]), mean, variance, op.self->epsilon,
                    (float *)b.scale, (float *)b.shift, (float *)b.rstd);
    bn_output_y(&op, &b);
  }
  bn_end(&op);
}

/*
 * Output i of DenseBnReluGradChain: part i's gradient (or running sum), written over acc[i] when
 * acc is given and nothing else reads it. Sets op->dparts[i] and b->acc[i].
 */
static void chain_part_output(BnOp *op, int i, const float **acc) {
  const int n = op->n, acc_input = n + 5 + i;
  int64_t part_dims[4] = {op->dims[0], op->dims[1], op->dims[2], op->c[i]};
  TF_Tensor *t;
  if (chain_given(op->self)[i]) {
    /* the running sum is written over acc[i] when nothing else reads it (TensorFlow forwards
       it): no new buffer, and the pass writes the cache lines it read. Our handle on acc[i]
       counts as a reader: drop it first (the context keeps the input alive). */
    acc[i] = tf.TensorData(op->in[acc_input]);
    tf.DeleteTensor(op->in[acc_input]);
    op->in[acc_input] = NULL;
    int forwarded = -1;
    t = tf.ForwardInputOrAllocateOutput(op->ctx, &acc_input, 1, i, part_dims, 4, &forwarded, op->status);
  } else {
    t = tf.AllocateOutput(op->ctx, i, TF_FLOAT, part_dims, 4, (size_t)(op->M * op->c[i]) * sizeof(float),
                          op->status);
  }
  if (tf.GetCode(op->status) == TF_OK) {
    op->dparts[i] = tf.TensorData(t);
    tf.DeleteTensor(t); /* the context keeps the output */
  }
}

/*
 * DenseBnReluGradChain (dy, parts, gamma, beta, mean, variance, acc, coef; given, finish) ->
 * dparts, coefs, dgamma, dbeta: see "batch norm + ReLU" above.
 */
static void bn_grad_chain_compute(void *arg, TF_OpKernelContext *ctx) {
  BnOp op;
  const BnKernel *self = arg;
  const int n = (int)self->n;
  const int vectors = n + 1; /* gamma, beta, mean, variance */
  const float **acc = NULL;
  int *finish = NULL;
  float *chain_k = NULL;
  if (bn_begin(&op, arg, ctx, 3 * n + 5, 1, vectors, 4)) {
    const int64_t *dims = op.dims;
    for (int i = 0; i < n && op.message[0] == 0; i++) {
      const int64_t part_dims[4] = {dims[0], dims[1], dims[2], op.c[i]}, coef_dims[2] = {2, op.c[i]};
      if (!chain_given(self)[i]) continue;
      if (!has_shape(op.in[vectors + 4 + i], 4, part_dims)) {
        snprintf(op.message, sizeof op.message, "%s: acc %d must be %lldx%lldx%lldx%lld like part %d", op.name, i,
                 (long long)dims[0], (long long)dims[1], (long long)dims[2], (long long)op.c[i], i);
      } else if (!has_shape(op.in[vectors + 4 + n + i], 2, coef_dims)) {
        snprintf(op.message, sizeof op.message, "%s: coef %d must be 2x%lld (part %d's channels)", op.name, i,
                 (long long)op.c[i], i);
      }
    }
    if (op.message[0] == 0 && !has_shape(op.in[0], 4, dims)) {
      snprintf(op.message, sizeof op.message, "%s: dy must be %lldx%lldx%lldx%lld", op.name, (long long)dims[0],
               (long long)dims[1], (long long)dims[2], (long long)op.C);
    }
  }
  if (bn_check(&op) && bn_scratch(&op)) {
    TF_Status *status = op.status;
    const int64_t C = op.C, M = op.M;
    BnRelu b = bn_relu_of(&op);
    const float *gamma = tf.TensorData(op.in[vectors]);
    float *mean = op.coefficients, *variance = op.coefficients + C;
    double *sums = op.sums;
    memcpy(mean, tf.TensorData(op.in[vectors + 2]), (size_t)C * sizeof(float));
    memcpy(variance, tf.TensorData(op.in[vectors + 3]), (size_t)C * sizeof(float));
    bn_coefficients(C, gamma, tf.TensorData(op.in[vectors + 1]), mean, variance, self->epsilon, (float *)b.scale,
                    (float *)b.shift, (float *)b.rstd);
    b.dy = tf.TensorData(op.in[0]);
    acc = checked_alloc((size_t)n, sizeof(float *), 1, status);
    finish = checked_alloc((size_t)n, sizeof(int), 1, status);
    chain_k = checked_alloc((size_t)(3 * C + 1), sizeof(float), 0, status);
    if (tf.GetCode(status) == TF_OK) {
      for (int64_t ch = 0; ch < C; ch++) chain_k[ch] = gamma[ch] * b.rstd[ch];
      for (int i = 0; i < n; i++) finish[i] = chain_finish(self)[i] != 0;
      b.acc = acc;
      b.finish = finish;
      b.k1 = chain_k;
      b.ka = chain_k + C;
      b.kb = chain_k + 2 * C;
      for (int i = 0; i < n && tf.GetCode(status) == TF_OK; i++) chain_part_output(&op, i, acc);
    }
    if (tf.GetCode(status) == TF_OK) {
      parallel_for(bn_chain_local_range, &b, op.blocks, 3 * M * C);
      sum_blocks(&b, op.blocks, sums, sums + C); /* sums: dbeta, sums + C: dgamma */
      int any_finish = 0;
      for (int i = 0; i < n && tf.GetCode(status) == TF_OK; i++) {
        /* part i's coefficients: the later layers' (coef) plus this layer's a, b */
        const int64_t ci = op.c[i], coef_dims[2] = {2, ci};
        TF_Tensor *t = tf.AllocateOutput(ctx, n + i, TF_DOUBLE, coef_dims, 2, (size_t)(2 * ci) * sizeof(double), status);
        if (tf.GetCode(status) != TF_OK) break;
        double *out = tf.TensorData(t);
        const double *later = chain_given(self)[i] ? tf.TensorData(op.in[vectors + 4 + n + i]) : NULL;
        for (int64_t j = 0; j < ci; j++) {
          const int64_t ch = op.offset[i] + j;
          const double k1 = chain_k[ch];
          out[j] = (later != NULL ? later[j] : 0.0) - k1 * (sums[ch] / (double)M);
          out[ci + j] = (later != NULL ? later[ci + j] : 0.0) - k1 * (sums[C + ch] / (double)M);
          chain_k[C + ch] = (float)out[j];
          chain_k[2 * C + ch] = (float)out[ci + j];
        }
        tf.DeleteTensor(t);
        any_finish |= finish[i];
      }
      if (tf.GetCode(status) == TF_OK && any_finish) parallel_for(bn_chain_finish_range, &b, M, 3 * M * C);
    }
    for (int g = 0; g < 2 && tf.GetCode(status) == TF_OK; g++) {
      TF_Tensor *t = tf.AllocateOutput(ctx, 2 * n + g, TF_FLOAT, &op.C, 1, (size_t)C * sizeof(float), status);
      if (tf.GetCode(status) == TF_OK) {
        float *out = tf.TensorData(t);
        const double *from = g == 0 ? sums + C : sums; /* dgamma, then dbeta */
        for (int64_t ch = 0; ch < C; ch++) out[ch] = (float)from[ch];
        tf.DeleteTensor(t);
      }
    }
  }
  free(acc);
  free(finish);
  free(chain_k);
  bn_end(&op);
}

static void unknown_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
  tf.ShapeInferenceContextSetUnknownShape(ctx, status);
}

/*
 * Shape functions of the batch-norm ops. The parts are NHWC [N, H, W, c_i] with the N, H, W of
 * part 0; the concatenation has C = sum c_i channels. Where a part's rank or channel count is
 * unknown to the graph, the outputs that depend on it stay unknown (as without a shape function).
 * The shift ops keep unknown output shapes: their channel counts depend on the kernel attribute,
 * which TensorFlow's C API does not let a shape function read (callers state them with a reshape).
 */
typedef struct {
  TF_ShapeHandle *pixels; /* [N, H, W] of part 0 */
  int64_t C;              /* the parts' channels summed, -1 if any is unknown */
} PartShapes;

/* Channels of the part at input i (rank 4 enforced), -1 if unknown. */
static int64_t part_channels(TF_ShapeInferenceContext *ctx, int i, TF_ShapeHandle *pixels, TF_Status *status) {
  int64_t c = -1;
  TF_ShapeHandle *in = tf.NewShapeHandle(), *rank4 = tf.NewShapeHandle();
  TF_DimensionHandle *dim = tf.NewDimensionHandle();
  tf.ShapeInferenceContextGetInput(ctx, i, in, status);
  if (tf.GetCode(status) == TF_OK) tf.ShapeInferenceContextWithRank(ctx, in, 4, rank4, status);
  if (tf.GetCode(status) == TF_OK) {
    if (pixels != NULL) tf.ShapeInferenceContextSubshape(ctx, rank4, 0, 3, pixels, status);
    tf.ShapeInferenceContextDim(ctx, rank4, 3, dim);
    c = tf.DimensionHandleValueKnown(dim) ? tf.DimensionHandleValue(dim) : -1;
  }
  tf.DeleteDimensionHandle(dim);
  tf.DeleteShapeHandle(rank4);
  tf.DeleteShapeHandle(in);
  return c;
}

static int part_shapes(TF_ShapeInferenceContext *ctx, int first, int n, PartShapes *p, TF_Status *status) {
  p->C = 0;
  p->pixels = tf.NewShapeHandle();
  for (int i = 0; i < n && tf.GetCode(status) == TF_OK; i++) {
    const int64_t c = part_channels(ctx, first + i, i == 0 ? p->pixels : NULL, status);
    p->C = p->C < 0 || c < 0 ? -1 : p->C + c;
  }
  return tf.GetCode(status) == TF_OK;
}

static void free_part_shapes(PartShapes *p) { tf.DeleteShapeHandle(p->pixels); }

/* Output `out`: the vector [size], or unknown if size < 0. */
static void set_vector(TF_ShapeInferenceContext *ctx, int out, int64_t size, TF_Status *status) {
  if (tf.GetCode(status) != TF_OK || size < 0) return; /* unknown: stays as set_unknown left it */
  TF_ShapeHandle *v = tf.ShapeInferenceContextVectorFromSize(ctx, (size_t)size);
  tf.ShapeInferenceContextSetOutput(ctx, out, v, status);
  tf.DeleteShapeHandle(v);
}

/* Output `out`: [2, c] (a part's sums or coefficients), or unknown if c < 0. */
static void set_pair(TF_ShapeInferenceContext *ctx, int out, int64_t c, TF_Status *status) {
  if (tf.GetCode(status) != TF_OK || c < 0) return;
  TF_ShapeHandle *two = tf.ShapeInferenceContextVectorFromSize(ctx, 2);
  TF_ShapeHandle *cs = tf.ShapeInferenceContextVectorFromSize(ctx, (size_t)c);
  TF_ShapeHandle *pair = tf.NewShapeHandle();
  tf.ShapeInferenceContextConcatenateShapes(ctx, two, cs, pair, status);
  if (tf.GetCode(status) == TF_OK) tf.ShapeInferenceContextSetOutput(ctx, out, pair, status);
  tf.DeleteShapeHandle(pair);
  tf.DeleteShapeHandle(cs);
  tf.DeleteShapeHandle(two);
}

/* Output `out`: [N, H, W, channels] of the parts, or unknown if channels < 0. */
static void set_nhwc(TF_ShapeInferenceContext *ctx, int out, const PartShapes *p, int64_t channels,
                     TF_Status *status) {
  if (tf.GetCode(status) != TF_OK || channels < 0) return;
  TF_ShapeHandle *c = tf.ShapeInferenceContextVectorFromSize(ctx, (size_t)channels);
  TF_ShapeHandle *y = tf.NewShapeHandle();
  tf.ShapeInferenceContextConcatenateShapes(ctx, p->pixels, c, y, status);
  if (tf.GetCode(status) == TF_OK) tf.ShapeInferenceContextSetOutput(ctx, out, y, status);
  tf.DeleteShapeHandle(y);
  tf.DeleteShapeHandle(c);
}

/* DensePartSums: part [N, H, W, c] -> sums [2, c]. */
static void part_sums_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
  PartShapes p;
  tf.ShapeInferenceContextSetUnknownShape(ctx, status);
  if (part_shapes(ctx, 0, 1, &p, status)) set_pair(ctx, 0, p.C, status);
  free_part_shapes(&p);
}

/* DenseBnRelu: (parts, sums, gamma, beta) -> y [N, H, W, C], mean [C], variance [C]. */
static void bn_relu_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
  PartShapes p;
  tf.ShapeInferenceContextSetUnknownShape(ctx, status);
  if (part_shapes(ctx, 0, (int)((tf.ShapeInferenceContextNumInputs(ctx) - 2) / 2), &p, status)) {
    set_nhwc(ctx, 0, &p, p.C, status);
    set_vector(ctx, 1, p.C, status);
    set_vector(ctx, 2, p.C, status);
  }
  free_part_shapes(&p);
}

/* DenseBnReluApply: (after, parts, gamma, beta, mean, variance) -> y [N, H, W, C]. */
static void bn_relu_apply_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
  PartShapes p;
  tf.ShapeInferenceContextSetUnknownShape(ctx, status);
  if (part_shapes(ctx, 1, (int)(tf.ShapeInferenceContextNumInputs(ctx) - 5), &p, status)) set_nhwc(ctx, 0, &p, p.C, status);
  free_part_shapes(&p);
}

/* DenseBnReluGradChain: dparts like the parts, coefs [2, c_i], dgamma [C], dbeta [C]. */
static void bn_grad_chain_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
  PartShapes p;
  const int n = (int)((tf.ShapeInferenceContextNumInputs(ctx) - 5) / 3);
  tf.ShapeInferenceContextSetUnknownShape(ctx, status);
  if (part_shapes(ctx, 1, n, &p, status)) {
    for (int i = 0; i < n && tf.GetCode(status) == TF_OK; i++) {
      const int64_t c = part_channels(ctx, 1 + i, NULL, status);
      set_nhwc(ctx, i, &p, c, status);
      set_pair(ctx, n + i, c, status);
    }
    set_vector(ctx, 2 * n, p.C, status);
    set_vector(ctx, 2 * n + 1, p.C, status);
  }
  free_part_shapes(&p);
}
static int bind(void *lib, void **slot, const char *name) {
  *slot = dlsym(lib, name);
  if (*slot == NULL) {
    fprintf(stderr, "densenet_ops: TensorFlow's C API has no %s\n", name);
    return 0;
  }
  return 1;
}

/* Registers op `name` (inputs, outputs and attrs as NULL-terminated spec lists) and its CPU kernel. */
static void register_op(const char *name, const char *const *inputs, const char *const *outputs,
                        const char *const *attrs, void (*shape)(TF_ShapeInferenceContext *, TF_Status *),
                        void *(*create)(TF_OpKernelConstruction *),
                        void (*compute)(void *, TF_OpKernelContext *), TF_Status *status) {
  if (tf.GetCode(status) != TF_OK) return;
  TF_OpDefinitionBuilder *op = tf.NewOpDefinitionBuilder(name);
  for (const char *const *i = inputs; *i != NULL; i++) tf.OpDefinitionBuilderAddInput(op, *i);
  for (const char *const *o = outputs; *o != NULL; o++) tf.OpDefinitionBuilderAddOutput(op, *o);
  for (const char *const *a = attrs; *a != NULL; a++) tf.OpDefinitionBuilderAddAttr(op, *a);
  tf.OpDefinitionBuilderSetShapeInferenceFunction(op, shape);
  tf.RegisterOpDefinition(op, status);
  if (tf.GetCode(status) != TF_OK) {
    fprintf(stderr, "densenet_ops: cannot register op %s\n", name);
    return;
  }
  TF_KernelBuilder *kernel = tf.NewKernelBuilder(name, "CPU", create, compute, free);
  char kernel_name[64];
  snprintf(kernel_name, sizeof kernel_name, "%sCpu", name);
  tf.RegisterKernelBuilder(kernel_name, kernel, status);
  if (tf.GetCode(status) != TF_OK) fprintf(stderr, "densenet_ops: cannot register the CPU kernel of %s\n", name);
}

/* Runs when TF_LoadLibrary opens this library: registers the ops and their CPU kernels. */
__attribute__((constructor)) static void densenet_ops_register(void) {
  void *lib = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
  if (lib == NULL) {
    fprintf(stderr, "densenet_ops: libtensorflow_framework.so.2 is not loaded; load this library with TF_LoadLibrary\n");
    return;
  }
  int ok = 1;
#define BIND(field, symbol) ok &= bind(lib, (void **)&tf.field, symbol)
  BIND(NewStatus, "TF_NewStatus");
  BIND(DeleteStatus, "TF_DeleteStatus");
  BIND(GetCode, "TF_GetCode");
  BIND(SetStatus, "TF_SetStatus");
  BIND(NewOpDefinitionBuilder, "TF_NewOpDefinitionBuilder");
  BIND(OpDefinitionBuilderAddInput, "TF_OpDefinitionBuilderAddInput");
  BIND(OpDefinitionBuilderAddOutput, "TF_OpDefinitionBuilderAddOutput");
  BIND(OpDefinitionBuilderAddAttr, "TF_OpDefinitionBuilderAddAttr");
  BIND(OpDefinitionBuilderSetShapeInferenceFunction, "TF_OpDefinitionBuilderSetShapeInferenceFunction");
  BIND(RegisterOpDefinition, "TF_RegisterOpDefinition");
  BIND(ShapeInferenceContextSetUnknownShape, "TF_ShapeInferenceContextSetUnknownShape");
  BIND(ShapeInferenceContextNumInputs, "TF_ShapeInferenceContextNumInputs");
  BIND(NewShapeHandle, "TF_NewShapeHandle");
  BIND(DeleteShapeHandle, "TF_DeleteShapeHandle");
  BIND(ShapeInferenceContextGetInput, "TF_ShapeInferenceContextGetInput");
  BIND(ShapeInferenceContextSetOutput, "TF_ShapeInferenceContextSetOutput");
  BIND(ShapeInferenceContextWithRank, "TF_ShapeInferenceContextWithRank");
  BIND(ShapeInferenceContextSubshape, "TF_ShapeInferenceContextSubshape");
  BIND(ShapeInferenceContextConcatenateShapes, "TF_ShapeInferenceContextConcatenateShapes");
  BIND(ShapeInferenceContextVectorFromSize, "TF_ShapeInferenceContextVectorFromSize");
  BIND(ShapeInferenceContextDim, "TF_ShapeInferenceContextDim");
  BIND(NewDimensionHandle, "TF_NewDimensionHandle");
  BIND(DeleteDimensionHandle, "TF_DeleteDimensionHandle");
  BIND(DimensionHandleValueKnown, "TF_DimensionHandleValueKnown");
  BIND(DimensionHandleValue, "TF_DimensionHandleValue");
  BIND(NewKernelBuilder, "TF_NewKernelBuilder");
  BIND(RegisterKernelBuilder, "TF_RegisterKernelBuilder");
  BIND(GetAttrInt64, "TF_OpKernelConstruction_GetAttrInt64");
  BIND(GetAttrFloat, "TF_OpKernelConstruction_GetAttrFloat");
  BIND(GetAttrSize, "TF_OpKernelConstruction_GetAttrSize");
  BIND(GetAttrBoolList, "TF_OpKernelConstruction_GetAttrBoolList");
  BIND(ConstructionFailure, "TF_OpKernelConstruction_Failure");
  BIND(GetInput, "TF_GetInput");
  BIND(AllocateOutput, "TF_AllocateOutput");
  BIND(ForwardInputOrAllocateOutput, "TF_ForwardInputOrAllocateOutput");
  BIND(ContextFailure, "TF_OpKernelContext_Failure");
  BIND(NumDims, "TF_NumDims");
  BIND(Dim, "TF_Dim");
  BIND(TensorData, "TF_TensorData");
  BIND(DeleteTensor, "TF_DeleteTensor");
#undef BIND
  dlclose(lib);
  if (!ok) return;
  const char *fail = getenv("DENSENET_OPS_FAIL_ALLOCATION");
  fail_allocation = fail != NULL ? atoll(fail) : 0;
  TF_Status *status = tf.NewStatus();
  const char *const kernel_attr[] = {"kernel: int", NULL};
  const char *const bn_attrs[] = {"N: int >= 1", "epsilon: float", NULL};
  register_op("DenseShiftAdd", (const char *const[]){"z: float", NULL}, (const char *const[]){"y: float", NULL},
              kernel_attr, unknown_shape, shift_create, shift_add_compute, status);
  register_op("DenseShiftGather", (const char *const[]){"dy: float", NULL}, (const char *const[]){"dz: float", NULL},
              kernel_attr, unknown_shape, shift_create, shift_gather_compute, status);
  register_op("DensePartSums", (const char *const[]){"part: float", NULL}, (const char *const[]){"sums: double", NULL},
              (const char *const[]){NULL}, part_sums_shape, part_sums_create, part_sums_compute, status);
  register_op("DenseBnRelu",
              (const char *const[]){"parts: N * float", "sums: N * double", "gamma: float", "beta: float", NULL},
              (const char *const[]){"y: float", "mean: float", "variance: float", NULL}, bn_attrs,
              bn_relu_shape, bn_forward_create, bn_relu_compute, status);
  register_op("DenseBnReluApply",
              (const char *const[]){"after: float", "parts: N * float", "gamma: float", "beta: float",
                                    "mean: float", "variance: float", NULL},
              (const char *const[]){"y: float", NULL}, bn_attrs, bn_relu_apply_shape, bn_apply_create, bn_relu_apply_compute,
              status);
  register_op("DenseBnReluGradChain",
              (const char *const[]){"dy: float", "parts: N * float", "gamma: float", "beta: float",
                                    "mean: float", "variance: float", "acc: N * float", "coef: N * double", NULL},
              (const char *const[]){"dparts: N * float", "coefs: N * double", "dgamma: float", "dbeta: float", NULL},
              (const char *const[]){"N: int >= 1", "epsilon: float", "given: list(bool)", "finish: list(bool)", NULL},
              bn_grad_chain_shape, bn_grad_chain_create, bn_grad_chain_compute, status);
  tf.DeleteStatus(status);
}
