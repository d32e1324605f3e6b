// expect 6:5: loop dimension d2 has extent 3 and also 4
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<4x3xf32>, %arg1: tensor<4x5xf32>):
    %0 = "arith.constant"() <{value = dense<0.000000e+00> : tensor<4x5xf32>}> : () -> tensor<4x5xf32>
    %1 = "tensor.generic"(%arg0, %arg1, %0) <{indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"], operandSegmentSizes = array<i32: 2, 1>}> ({
    ^bb0(%arg2: f32, %arg3: f32, %arg4: f32):
      %2 = "arith.mulf"(%arg2, %arg3) : (f32, f32) -> f32
      %3 = "arith.addf"(%arg4, %2) : (f32, f32) -> f32
      "tensor.generic_yield"(%3) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
    "func.return"(%1) : (tensor<4x5xf32>) -> ()
  }) : () -> ()
}) : () -> ()
