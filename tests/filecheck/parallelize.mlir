// RUN: ziggurat opt %s --pipeline "builtin.module(parallelize)" | filecheck %s
// parallelize: the kernel's outermost parallel loop.for (rows 0..4) becomes a loop.parallel mapped to
// cpu.outer, the inner loop stays a loop.for, and the kernel's zg.parallel_range becomes that trip count.
// CHECK-LABEL: "loop.kernel"
// CHECK: "loop.parallel"(%[[C0:.*]], %[[C4:.*]], %[[C1:.*]]) <{mapping = ["cpu.outer"], operandSegmentSizes = array<i32: 1, 1, 1>}> ({
// CHECK-NEXT: ^bb0(%[[I:.*]]: index):
// CHECK-NEXT: "loop.for"(%[[C0]], %{{.*}}, %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[J:.*]]: index):
// CHECK: "loop.store"(%{{.*}}, %arg2, %[[I]], %[[J]])
// CHECK: }) {zg.parallel} : (index, index, index) -> ()
// CHECK-NEXT: "loop.yield"() : () -> ()
// CHECK-NEXT: }) : (index, index, index) -> ()
// CHECK-NEXT: "loop.return"
// CHECK-NEXT: }) {zg.ops = ["tensor.generic"], zg.parallel_range = 4 : i64}
// CHECK-NOT: "loop.parallel"
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
