// RUN: ziggurat opt %s --pipeline "builtin.module(vectorize{width=4})" | filecheck %s
// vectorize{width=4}: k0's innermost loop (j only indexes the last, contiguous dimension) becomes a
// step-4 loop of vector<4xf32> loads, ops and stores up to 20 - 20 mod 4, then a scalar remainder loop
// from there to 20; the scalar constant 0.0 is splatted. k1 reads x[j][i] (j strides the first
// dimension), so it stays scalar.
// CHECK-LABEL: sym_name = "k0"
// CHECK-DAG: %[[C0:.*]] = "arith.constant"() <{value = 0 : index}>
// CHECK-DAG: %[[C4:.*]] = "arith.constant"() <{value = 4 : index}>
// CHECK-DAG: %[[C1:.*]] = "arith.constant"() <{value = 1 : index}>
// CHECK-DAG: %[[C20:.*]] = "arith.constant"() <{value = 20 : index}>
// CHECK-DAG: %[[ZERO:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK: ^bb0(%[[I:.*]]: index):
// CHECK-NEXT: %[[TRIP:.*]] = "arith.subi"(%[[C20]], %[[C0]])
// CHECK-NEXT: %[[NV:.*]] = "arith.floordivsi"(%[[TRIP]], %[[C4]])
// CHECK-NEXT: %[[VL:.*]] = "arith.muli"(%[[NV]], %[[C4]])
// CHECK-NEXT: %[[VEND:.*]] = "arith.addi"(%[[C0]], %[[VL]])
// CHECK-NEXT: "loop.for"(%[[C0]], %[[VEND]], %[[C4]]) ({
// CHECK-NEXT: ^bb0(%[[J:.*]]: index):
// CHECK-NEXT: %[[A:.*]] = "loop.load"(%arg0, %[[I]], %[[J]]) : (memref<4x20xf32>, index, index) -> vector<4xf32>
// CHECK-NEXT: %[[B:.*]] = "loop.load"(%arg1, %[[I]], %[[J]]) : (memref<4x20xf32>, index, index) -> vector<4xf32>
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[A]], %[[B]]) : (vector<4xf32>, vector<4xf32>) -> vector<4xf32>
// CHECK-NEXT: %[[Z:.*]] = "loop.splat"(%[[ZERO]]) : (f32) -> vector<4xf32>
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[S]], %[[Z]]) : (vector<4xf32>, vector<4xf32>) -> vector<4xf32>
// CHECK-NEXT: "loop.store"(%[[R]], %arg2, %[[I]], %[[J]]) : (vector<4xf32>, memref<4x20xf32>, index, index) -> ()
// CHECK-NEXT: "loop.yield"
// CHECK-NEXT: }) {zg.parallel}
// CHECK-NEXT: "loop.for"(%[[VEND]], %[[C20]], %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[JR:.*]]: index):
// CHECK-NEXT: "loop.load"(%arg0, %[[I]], %[[JR]]) : (memref<4x20xf32>, index, index) -> f32
// CHECK-LABEL: sym_name = "k1"
// CHECK-NOT: vector<
// CHECK: "loop.load"(%arg0, %{{.*}}, %{{.*}}) : (memref<20x4xf32>, index, index) -> f32
// CHECK-NOT: vector<
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
  "loop.kernel"() <{function_type = (memref<20x4xf32>, memref<4x20xf32>, memref<4x20xf32>) -> (), sym_name = "k1"}> ({
  ^bb0(%arg0: memref<20x4xf32>, %arg1: memref<4x20xf32>, %arg2: memref<4x20xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 4 : index}> : () -> index
    %2 = "arith.constant"() <{value = 1 : index}> : () -> index
    %3 = "arith.constant"() <{value = 20 : index}> : () -> index
    %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %1, %2) ({
    ^bb0(%arg3: index):
      "loop.for"(%0, %3, %2) ({
      ^bb0(%arg4: index):
        %5 = "loop.load"(%arg0, %arg4, %arg3) : (memref<20x4xf32>, index, index) -> f32
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
