// prunekit GPU route: replacements for two DJL PyTorch JNI entry points, compiled ON the GPU machine
// against that machine's libtorch (2.11) headers, and bound with RegisterNatives over the ones in DJL's
// prebuilt libdjl_torch.so (built for libtorch 2.7.1).
//
// Why (the first two; the rest are explained where they are defined): DJL's torchFromBlob inlines at::from_blob (TensorMaker and TensorOptions from the 2.7.1 headers)
// and hands that object to libtorch 2.11's out-of-line make_tensor; every tensor made from Java data
// then fails with "set_stride is not allowed on a Tensor created from .data or .detach()". Its
// torchSet (CPU path) constructs a StorageImpl inline and needs c10::impl::PyObjectSlot's
// constructor, which libc10 2.11 no longer exports. Both are replaced here; everything else in DJL's
// JNI calls out-of-line ATen operators whose symbols 2.11 still exports (see README.md).
//
// Also rebound: tensor metadata/data reads and indexing (see below). Semantics: the new tensor owns a copy of the Java buffer (DJL's CPU path aliases it); prunekit
// already clones right away (OwnedArrays), so nothing it does changes.
#include <jni.h>

#include <ATen/ATen.h>
#include <ATen/TensorIndexing.h>
#include <c10/core/GradMode.h>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::vector<int> g_scalar_types;  // DJL DataType ordinal -> c10::ScalarType code (-1: unsupported)

void throw_java(JNIEnv* env, const char* what) {
  jclass c = env->FindClass("ai/djl/engine/EngineException");
  if (c == nullptr) {
    env->ExceptionClear();
    c = env->FindClass("java/lang/IllegalStateException");
  }
  env->ThrowNew(c, what);
}

at::ScalarType scalar_type(jint dtype) {
  if (dtype < 0 || dtype >= static_cast<jint>(g_scalar_types.size()) || g_scalar_types[dtype] < 0) {
    throw std::invalid_argument("pk_djl_shim: unsupported DJL data type ordinal " + std::to_string(dtype));
  }
  return static_cast<at::ScalarType>(g_scalar_types[dtype]);
}

jlong JNICALL from_blob(JNIEnv* env, jobject, jobject jbuffer, jlongArray jshape, jint jdtype, jint jlayout,
    jintArray jdevice, jboolean jrequires_grad) {
  try {
    const jsize rank = env->GetArrayLength(jshape);
    std::vector<int64_t> shape(rank);
    env->GetLongArrayRegion(jshape, 0, rank, reinterpret_cast<jlong*>(shape.data()));
    jint dev[2] = {0, -1};
    env->GetIntArrayRegion(jdevice, 0, 2, dev);
    if (jlayout != 0) throw std::invalid_argument("pk_djl_shim: only dense tensors are supported");
    void* data = env->GetDirectBufferAddress(jbuffer);
    at::Tensor host = at::from_blob(data, shape, at::TensorOptions().dtype(scalar_type(jdtype)));
    at::Tensor result;
    if (dev[0] == 0) {
      result = host.clone();
    } else if (dev[0] == 1) {
      result = host.to(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(dev[1] < 0 ? 0 : dev[1])));
    } else {
      throw std::invalid_argument("pk_djl_shim: unsupported device type " + std::to_string(dev[0]));
    }
    if (jrequires_grad == JNI_TRUE) result.requires_grad_(true);
    return reinterpret_cast<jlong>(new at::Tensor(std::move(result)));
  } catch (const std::exception& e) {
    throw_java(env, e.what());
    return 0;
  }
}

void JNICALL set_from_buffer(JNIEnv* env, jobject, jlong jhandle, jobject jbuffer) {
  try {
    auto* tensor = reinterpret_cast<at::Tensor*>(jhandle);
    c10::NoGradGuard no_grad;
    at::Tensor src = at::from_blob(env->GetDirectBufferAddress(jbuffer), tensor->sizes(),
        at::TensorOptions().dtype(tensor->scalar_type()));
    tensor->copy_(src);
  } catch (const std::exception& e) {
    throw_java(env, e.what());
  }
}


// ---- tensor metadata and data: DJL's versions read TensorImpl fields inline at libtorch 2.7.1's
// offsets, which 2.11 moved ("Cannot access data pointer of Tensor that doesn't have storage") ----
int g_unknown_ordinal = 8;

at::Tensor& T(jlong h) { return *reinterpret_cast<at::Tensor*>(h); }

#define PK_TRY try {
#define PK_CATCH(ret) } catch (const std::exception& e) { throw_java(env, e.what()); return ret; }

jlongArray JNICALL sizes(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  auto s = T(h).sizes();
  jlongArray out = env->NewLongArray(static_cast<jsize>(s.size()));
  env->SetLongArrayRegion(out, 0, static_cast<jsize>(s.size()), reinterpret_cast<const jlong*>(s.data()));
  return out;
  PK_CATCH(nullptr)
}

at::Tensor host_dense(const at::Tensor& t) {
  at::Tensor x = t;
  if (x.is_sparse() || x.is_mkldnn()) x = x.to_dense();
  if (!x.device().is_cpu()) x = x.to(at::kCPU);
  return x.contiguous();
}

jbyteArray JNICALL data_ptr(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  at::Tensor x = host_dense(T(h));
  const auto n = static_cast<jsize>(x.nbytes());
  jbyteArray out = env->NewByteArray(n);
  env->SetByteArrayRegion(out, 0, n, static_cast<const jbyte*>(x.const_data_ptr()));
  return out;
  PK_CATCH(nullptr)
}

jobject JNICALL direct_buffer(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  at::Tensor& t = T(h);
  if (!t.device().is_cpu() || !t.is_contiguous() || t.is_sparse() || t.is_mkldnn()) {
    throw std::invalid_argument("pk_djl_shim: direct buffer needs a dense contiguous CPU tensor");
  }
  return env->NewDirectByteBuffer(t.data_ptr(), static_cast<jlong>(t.nbytes()));
  PK_CATCH(nullptr)
}

jboolean JNICALL is_contiguous(JNIEnv* env, jobject, jlong h) {
  PK_TRY return T(h).is_contiguous() ? JNI_TRUE : JNI_FALSE; PK_CATCH(JNI_FALSE)
}

jint JNICALL dtype(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  const int code = static_cast<int>(T(h).scalar_type());
  for (size_t i = 0; i < g_scalar_types.size(); ++i) {
    if (g_scalar_types[i] == code) return static_cast<jint>(i);
  }
  return g_unknown_ordinal;
  PK_CATCH(0)
}

jintArray JNICALL device(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  const auto d = T(h).device();
  jint v[2] = {static_cast<jint>(d.type()), static_cast<jint>(d.index())};
  jintArray out = env->NewIntArray(2);
  env->SetIntArrayRegion(out, 0, 2, v);
  return out;
  PK_CATCH(nullptr)
}

jint JNICALL layout(JNIEnv* env, jobject, jlong h) {
  PK_TRY
  const auto l = T(h).layout();
  if (l == at::kStrided) return 0;
  if (l == at::kSparse) return 1;
  if (l == at::kMkldnn) return 2;
  throw std::invalid_argument("pk_djl_shim: layout not strided, sparse or mkldnn");
  PK_CATCH(0)
}

jboolean JNICALL requires_grad(JNIEnv* env, jobject, jlong h) {
  PK_TRY return T(h).requires_grad() ? JNI_TRUE : JNI_FALSE; PK_CATCH(JNI_FALSE)
}

// ---- indexing: DJL's versions build at::indexing::Slice inline, which needs c10::SymInt::sym_ne,
// gone from libc10 2.11 (the JVM dies with "symbol lookup error") ----
using Index = std::vector<at::indexing::TensorIndex>;

std::vector<int64_t> longs(JNIEnv* env, jlongArray a) {
  const jsize n = env->GetArrayLength(a);
  std::vector<int64_t> v(n);
  env->GetLongArrayRegion(a, 0, n, reinterpret_cast<jlong*>(v.data()));
  return v;
}

Index slices(JNIEnv* env, jlongArray jmin, jlongArray jmax, jlongArray jstep) {
  const auto lo = longs(env, jmin), hi = longs(env, jmax), st = longs(env, jstep);
  Index idx;
  for (size_t i = 0; i < lo.size(); ++i) idx.emplace_back(at::indexing::Slice(lo[i], hi[i], st[i]));
  return idx;
}

jlong JNICALL get_item(JNIEnv* env, jobject, jlong h, jlong i) {
  PK_TRY return reinterpret_cast<jlong>(new at::Tensor(T(h).index({at::indexing::TensorIndex(static_cast<int64_t>(i))})));
  PK_CATCH(0)
}

jlong JNICALL get_items(JNIEnv* env, jobject, jlong h, jlongArray ji) {
  PK_TRY
  Index idx;
  for (int64_t i : longs(env, ji)) idx.emplace_back(i);
  return reinterpret_cast<jlong>(new at::Tensor(T(h).index(idx)));
  PK_CATCH(0)
}

jlong JNICALL index_slices(JNIEnv* env, jobject, jlong h, jlongArray jmin, jlongArray jmax, jlongArray jstep) {
  PK_TRY return reinterpret_cast<jlong>(new at::Tensor(T(h).index(slices(env, jmin, jmax, jstep)))); PK_CATCH(0)
}

void JNICALL index_put_slices(JNIEnv* env, jobject, jlong h, jlong v, jlongArray jmin, jlongArray jmax, jlongArray jstep) {
  PK_TRY T(h).index_put_(slices(env, jmin, jmax, jstep), T(v)); PK_CATCH()
}

jlong JNICALL index_init(JNIEnv* env, jobject, jint n) {
  PK_TRY auto* idx = new Index(); idx->reserve(n < 0 ? 0 : n); return reinterpret_cast<jlong>(idx); PK_CATCH(0)
}

Index& I(jlong h) { return *reinterpret_cast<Index*>(h); }

void JNICALL index_none_ellipsis(JNIEnv* env, jobject, jlong ih, jboolean ellipsis) {
  PK_TRY
  if (ellipsis == JNI_TRUE) I(ih).emplace_back(at::indexing::Ellipsis); else I(ih).emplace_back(at::indexing::None);
  PK_CATCH()
}

void JNICALL index_slice(JNIEnv* env, jobject, jlong ih, jlong lo, jlong hi, jlong st, jint nulls) {
  PK_TRY
  using at::indexing::None;
  using at::indexing::Slice;
  switch (nulls) {
    case 0: I(ih).emplace_back(Slice(lo, hi, st)); break;
    case 1: I(ih).emplace_back(Slice(lo, None, st)); break;
    case 2: I(ih).emplace_back(Slice(None, hi, st)); break;
    case 3: I(ih).emplace_back(Slice(None, None, st)); break;
    default: throw std::invalid_argument("pk_djl_shim: slice form " + std::to_string(nulls));
  }
  PK_CATCH()
}

void JNICALL index_fixed(JNIEnv* env, jobject, jlong ih, jlong i) {
  PK_TRY I(ih).emplace_back(static_cast<int64_t>(i)); PK_CATCH()
}

void JNICALL index_array(JNIEnv* env, jobject, jlong ih, jlong th) {
  PK_TRY I(ih).emplace_back(T(th)); PK_CATCH()
}

jlong JNICALL index_get(JNIEnv* env, jobject, jlong h, jlong ih) {
  PK_TRY return reinterpret_cast<jlong>(new at::Tensor(T(h).index(I(ih)))); PK_CATCH(0)
}

void JNICALL index_put(JNIEnv* env, jobject, jlong h, jlong ih, jlong v) {
  PK_TRY T(h).index_put_(I(ih), T(v)); PK_CATCH()
}

void JNICALL index_delete(JNIEnv* env, jobject, jlong ih) {
  PK_TRY delete reinterpret_cast<Index*>(ih); PK_CATCH()
}

jlong JNICALL slice(JNIEnv* env, jobject, jlong h, jlong dim, jlong start, jlong end, jlong step) {
  PK_TRY return reinterpret_cast<jlong>(new at::Tensor(T(h).slice(dim, start, end, step))); PK_CATCH(0)
}
}  // namespace

extern "C" JNIEXPORT jstring JNICALL Java_PkGpuShim_install(JNIEnv* env, jclass, jintArray jtypes, jint unknown) {
  g_unknown_ordinal = unknown;
  const jsize n = env->GetArrayLength(jtypes);
  g_scalar_types.assign(n, -1);
  env->GetIntArrayRegion(jtypes, 0, n, g_scalar_types.data());
  jclass lib = env->FindClass("ai/djl/pytorch/jni/PyTorchLibrary");
  if (lib == nullptr) return nullptr;  // ClassNotFoundException pending
  struct M { const char* name; const char* sig; void* fn; };
  const M methods[] = {
      {"torchFromBlob", "(Ljava/nio/ByteBuffer;[JII[IZ)J", reinterpret_cast<void*>(&from_blob)},
      {"torchSet", "(JLjava/nio/ByteBuffer;)V", reinterpret_cast<void*>(&set_from_buffer)},
      {"torchSizes", "(J)[J", reinterpret_cast<void*>(&sizes)},
      {"torchDataPtr", "(J)[B", reinterpret_cast<void*>(&data_ptr)},
      {"torchDirectByteBuffer", "(J)Ljava/nio/ByteBuffer;", reinterpret_cast<void*>(&direct_buffer)},
      {"torchIsContiguous", "(J)Z", reinterpret_cast<void*>(&is_contiguous)},
      {"torchDType", "(J)I", reinterpret_cast<void*>(&dtype)},
      {"torchDevice", "(J)[I", reinterpret_cast<void*>(&device)},
      {"torchLayout", "(J)I", reinterpret_cast<void*>(&layout)},
      {"torchRequiresGrad", "(J)Z", reinterpret_cast<void*>(&requires_grad)},
      {"torchGetItem", "(JJ)J", reinterpret_cast<void*>(&get_item)},
      {"torchGetItem", "(J[J)J", reinterpret_cast<void*>(&get_items)},
      {"torchIndex", "(J[J[J[J)J", reinterpret_cast<void*>(&index_slices)},
      {"torchIndexPut", "(JJ[J[J[J)V", reinterpret_cast<void*>(&index_put_slices)},
      {"torchIndexInit", "(I)J", reinterpret_cast<void*>(&index_init)},
      {"torchIndexAppendNoneEllipsis", "(JZ)V", reinterpret_cast<void*>(&index_none_ellipsis)},
      {"torchIndexAppendSlice", "(JJJJI)V", reinterpret_cast<void*>(&index_slice)},
      {"torchIndexAppendFixed", "(JJ)V", reinterpret_cast<void*>(&index_fixed)},
      {"torchIndexAppendArray", "(JJ)V", reinterpret_cast<void*>(&index_array)},
      {"torchIndexAdvGet", "(JJ)J", reinterpret_cast<void*>(&index_get)},
      {"torchIndexAdvPut", "(JJJ)V", reinterpret_cast<void*>(&index_put)},
      {"torchDeleteIndex", "(J)V", reinterpret_cast<void*>(&index_delete)},
      {"torchSlice", "(JJJJJ)J", reinterpret_cast<void*>(&slice)},
  };
  std::string report = "pk_djl_shim rebound:";
  for (const M& m : methods) {
    JNINativeMethod one{const_cast<char*>(m.name), const_cast<char*>(m.sig), m.fn};
    if (env->RegisterNatives(lib, &one, 1) == 0) {
      report += std::string(" ") + m.name;
    } else {
      env->ExceptionClear();
      report += std::string(" [") + m.name + m.sig + " NOT FOUND]";
    }
  }
  return env->NewStringUTF(report.c_str());
}
