// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor)" | filecheck %s
// graph.matmul -> tensor.matmul. graph.gemm with transB=1 and alpha=0.5 on a constant B -> B transposed
// at compile time (a new 3x4 constant), a tensor.matmul, and one generic for alpha * acc + C (C read
// per column: map (d0, d1) -> (d1)).
// CHECK-NOT: graph.matmul
// CHECK-NOT: graph.gemm
// CHECK: %[[W:.*]] = "graph.constant"() {{.*}} loc("w")
// CHECK-NEXT: %[[MM:.*]] = "tensor.matmul"(%arg0, %[[W]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32> loc("mm")
// CHECK: %[[C:.*]] = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>}>
// CHECK-NEXT: %[[BT:.*]] = "graph.constant"() <{value = dense<{{\[}}[1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00, 2.000000e+00], [1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00]]> : tensor<3x4xf32>}>
// CHECK-NEXT: %[[G:.*]] = "tensor.matmul"(%arg1, %[[BT]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32> loc("gemm")
// CHECK-NEXT: %[[E:.*]] = "tensor.empty"() : () -> tensor<2x4xf32>
// CHECK-NEXT: %[[EP:.*]] = "tensor.generic"(%[[G]], %[[C]], %[[E]]) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[CC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[AL:.*]] = "arith.constant"() <{value = 5.000000e-01 : f32}>
// CHECK-NEXT: %[[M:.*]] = "arith.mulf"(%[[ACC]], %[[AL]])
// CHECK-NEXT: %[[A:.*]] = "arith.addf"(%[[M]], %[[CC]])
// CHECK-NEXT: "tensor.generic_yield"(%[[A]])
// CHECK: "func.return"(%[[MM]], %[[EP]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>):
    %0 = "graph.constant"() <{value = dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]> : tensor<3x4xf32>}> : () -> tensor<3x4xf32> loc("w")
    %1 = "graph.matmul"(%arg0, %0) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32> loc("mm")
    %2 = "graph.constant"() <{value = dense<[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]> : tensor<4x3xf32>}> : () -> tensor<4x3xf32> loc("wt")
    %3 = "graph.constant"() <{value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}> : () -> tensor<4xf32> loc("c")
    %4 = "graph.gemm"(%arg1, %2, %3) <{alpha = 5.000000e-01 : f32, transB = 1 : i64}> : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("gemm")
    "func.return"(%1, %4) : (tensor<2x4xf32>, tensor<2x4xf32>) -> ()
  }) : () -> ()
}) : () -> ()
