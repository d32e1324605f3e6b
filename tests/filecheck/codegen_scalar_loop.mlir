// RUN: ziggurat opt %s --emit-llvm | filecheck %s
// RUN: ziggurat opt %s --emit-llvm=opt | filecheck %s --check-prefix=OPT
// A scalar loop kernel (y[i] = max(x[i] * 2, 0) for i < 10) -> one LLVM function with the kernel ABI
// (args, start, end): each memref argument loaded from args and cast to float*, the loop a phi/icmp
// header, the body a load, fmul, llvm.maximum and store; no vector types.
// CHECK-LABEL: define void @"relu2"(i8** noalias %"args", i64 %"start", i64 %"end")
// CHECK: %"arg0" = load i8*, i8** %{{.*}}
// CHECK-NEXT: %[[X:.*]] = bitcast i8* %"arg0" to float*
// CHECK: %"arg1" = load i8*, i8** %{{.*}}
// CHECK-NEXT: %[[Y:.*]] = bitcast i8* %"arg1" to float*
// CHECK: for.header:
// CHECK-NEXT: %[[I:"for.*"]] = phi  i64 [0, %"entry"], [%[[NEXT:.*]], %"for.body"]
// CHECK-NEXT: icmp slt i64 %[[I]], 10
// CHECK: for.body:
// CHECK: %[[P:.*]] = getelementptr inbounds float, float* %[[X]], i64 %[[I]]
// CHECK-NEXT: %[[V:.*]] = load float, float* %[[P]]
// CHECK-NEXT: %[[M:.*]] = fmul float %[[V]], 0x4000000000000000
// CHECK-NEXT: %[[R:.*]] = call float @"llvm.maximum.f32"(float %[[M]], float {{ *}}0x0)
// CHECK-NEXT: %[[Q:.*]] = getelementptr inbounds float, float* %[[Y]], i64 %[[I]]
// CHECK-NEXT: store float %[[R]], float* %[[Q]]
// CHECK-NEXT: %[[NEXT]] = add nsw i64 %[[I]], 1
// CHECK-NOT: x float>
// CHECK: declare float @"llvm.maximum.f32"
// After O3 the function takes opaque pointers and its 10 iterations are fully unrolled or vectorized.
// OPT: define void @relu2(ptr noalias {{.*}}%args, i64 %start, i64 %end)
// OPT: fmul
// OPT: ret void
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<10xf32>, memref<10xf32>) -> (), sym_name = "relu2"}> ({
  ^bb0(%arg0: memref<10xf32>, %arg1: memref<10xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 10 : index}> : () -> index
    %2 = "arith.constant"() <{value = 1 : index}> : () -> index
    %3 = "arith.constant"() <{value = 2.000000e+00 : f32}> : () -> f32
    %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %1, %2) ({
    ^bb0(%arg2: index):
      %5 = "loop.load"(%arg0, %arg2) : (memref<10xf32>, index) -> f32
      %6 = "arith.mulf"(%5, %3) : (f32, f32) -> f32
      %7 = "arith.maximumf"(%6, %4) : (f32, f32) -> f32
      "loop.store"(%7, %arg1, %arg2) : (f32, memref<10xf32>, index) -> ()
      "loop.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "loop.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
