// RUN: ziggurat opt %s --pipeline "builtin.module(vectorize{target=zen3})" --emit-llvm | filecheck %s
// Codegen of a vectorized loop: vectorize{target=zen3} makes the inner loop 8 lanes wide; its body
// becomes <8 x float> loads (a float* bitcast to <8 x float>*), an fadd, a splat of 0.0 (insertelement +
// shufflevector), llvm.maximum.v8f32 and a vector store, stepping by 8; the remainder loop starts where
// the vector loop ends and stays scalar.
// CHECK-LABEL: define void @"k0"(i8** noalias %"args", i64 %"start", i64 %"end")
// CHECK: %[[VEND:.*]] = add i64 0, %{{.*}}
// CHECK: %[[J:"for.1"]] = phi  i64 [0, %"for.body"], [%[[NEXT:.*]], %"for.body.1"]
// CHECK-NEXT: icmp slt i64 %[[J]], %[[VEND]]
// CHECK: for.body.1:
// CHECK: %[[PA:.*]] = bitcast float* %{{.*}} to <8 x float>*
// CHECK-NEXT: %[[A:.*]] = load <8 x float>, <8 x float>* %[[PA]]
// CHECK: %[[PB:.*]] = bitcast float* %{{.*}} to <8 x float>*
// CHECK-NEXT: %[[B:.*]] = load <8 x float>, <8 x float>* %[[PB]]
// CHECK-NEXT: %[[S:.*]] = fadd <8 x float> %[[A]], %[[B]]
// CHECK-NEXT: %[[INS:.*]] = insertelement <8 x float> {{.*}}, float {{ *}}0x0, i32 0
// CHECK-NEXT: %[[SPLAT:.*]] = shufflevector <8 x float> %[[INS]], {{.*}}, <8 x i32> <i32 0, i32 0, i32 0, i32 0, i32 0, i32 0, i32 0, i32 0>
// CHECK-NEXT: %[[R:.*]] = call <8 x float> @"llvm.maximum.v8f32"(<8 x float> %[[S]], <8 x float> %[[SPLAT]])
// CHECK: store <8 x float> %[[R]], <8 x float>* %{{.*}}
// CHECK-NEXT: %[[NEXT]] = add nsw i64 %[[J]], 8
// The scalar remainder: from the vector loop's end to 20, one float at a time.
// CHECK: %[[K:"for.2"]] = phi  i64 [%[[VEND]], %"for.exit.1"]
// CHECK-NEXT: icmp slt i64 %[[K]], 20
// CHECK: fadd float
// CHECK: call float @"llvm.maximum.f32"
// CHECK: store float
// CHECK-NOT: <4 x float>
// CHECK-NOT: <16 x float>
// CHECK: declare <8 x float> @"llvm.maximum.v8f32"
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<4x20xf32>, memref<4x20xf32>, memref<4x20xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<4x20xf32>, %arg1: memref<4x20xf32>, %arg2: memref<4x20xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 4 : index}> : () -> index
    %2 = "arith.constant"() <{value = 1 : index}> : () -> index
    %3 = "arith.constant"() <{value = 20 : index}> : () -> index
    %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %1, %2) ({
    ^bb0(%arg3: index):
      "loop.for"(%0, %3, %2) ({
      ^bb0(%arg4: index):
        %5 = "loop.load"(%arg0, %arg3, %arg4) : (memref<4x20xf32>, index, index) -> f32
        %6 = "loop.load"(%arg1, %arg3, %arg4) : (memref<4x20xf32>, index, index) -> f32
        %7 = "arith.addf"(%5, %6) : (f32, f32) -> f32
        %8 = "arith.maximumf"(%7, %4) : (f32, f32) -> f32
        "loop.store"(%8, %arg2, %arg3, %arg4) : (f32, memref<4x20xf32>, index, index) -> ()
        "loop.yield"() : () -> ()
      }) {zg.parallel} : (index, index, index) -> ()
      "loop.yield"() : () -> ()
    }) {zg.parallel} : (index, index, index) -> ()
    "loop.return"() : () -> ()
  }) {zg.ops = ["tensor.generic"], zg.parallel_range = 1 : i64} : () -> ()
}) : () -> ()
