// RUN: ziggurat opt %s --pipeline "builtin.module(vectorize{target=zen3})" | filecheck %s
// RUN: ziggurat opt %s --pipeline "builtin.module(vectorize{target=emerald-rapids})" | filecheck %s --check-prefix=EMR
// vectorize{target=zen3} (width=0): the width is the target's f32 lanes per register, 8 on AVX2
// (16 of the 20 columns in vector<8xf32>, the last 4 in the scalar remainder); 16 on AVX-512.
// CHECK: %[[C8:.*]] = "arith.constant"() <{value = 8 : index}>
// CHECK: "arith.floordivsi"(%{{.*}}, %[[C8]])
// CHECK: "loop.for"(%{{.*}}, %[[VEND:.*]], %[[C8]]) ({
// CHECK: "loop.load"(%arg0, %{{.*}}, %{{.*}}) : (memref<4x20xf32>, index, index) -> vector<8xf32>
// CHECK: "arith.maximumf"({{.*}}) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: "loop.store"({{.*}}) : (vector<8xf32>, memref<4x20xf32>, index, index) -> ()
// CHECK: "loop.for"(%[[VEND]], %{{.*}}, %{{.*}}) ({
// CHECK: "loop.load"(%arg0, %{{.*}}, %{{.*}}) : (memref<4x20xf32>, index, index) -> f32
// CHECK-NOT: vector<4xf32>
// CHECK-NOT: vector<16xf32>
// EMR-NOT: vector<8xf32>
// EMR: "loop.load"(%arg0, %{{.*}}, %{{.*}}) : (memref<4x20xf32>, index, index) -> vector<16xf32>
// EMR-NOT: vector<8xf32>
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
