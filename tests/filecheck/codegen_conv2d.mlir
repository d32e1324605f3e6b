// RUN: ziggurat opt %s --emit-llvm | filecheck %s
// Codegen of a loop.conv2d kernel op (1x2x4x4 input, 3 filters 3x3, pad 1, 8-lane channel blocks) with
// a bias + relu epilogue and unpacked weights. The kernel function converts x, w and the bias into
// zero-padded channel-blocked workspaces ([1][4][4][8] = 128 floats, [1][1][3][3][8][8] = 576, 8),
// calls the row-range driver with the launch's (start, end), and converts only rows [start, end) of
// the blocked output back to NCHW (so parallel launches never write each other's rows). The driver
// keeps one <8 x float> accumulator per output pixel (at most ow_tile = 4), updated by llvm.fma.v8f32,
// then runs the epilogue on each register: acc + bias vector, llvm.maximum.v8f32 with 0, a vector store.
// CHECK-LABEL: define void @"k0"(i8** noalias %"args", i64 %"start", i64 %"end")
// CHECK-NEXT: {
// CHECK-NEXT: allocas:
// CHECK-NEXT: %"ws" = alloca [128 x float], align 64
// CHECK-NEXT: %"ws.1" = alloca [576 x float], align 64
// CHECK-NEXT: %"ws.2" = alloca [128 x float], align 64
// CHECK-NEXT: %"ws.3" = alloca [8 x float], align 64
// Input channels past C = 2 read as 0 (a guarded load):
// CHECK: icmp slt i64 %"l1", 2
// CHECK: %[[V:.*]] = load float, float* %{{.*}}
// CHECK-NEXT: select  i1 %{{.*}}, float %[[V]], float {{ *}}0x0
// CHECK: call void @"k0.conv_range"(float* %[[X:.*]], float* %[[W:.*]], float* %[[Y:.*]], float* %[[B:.*]], i64 %"start", i64 %"end")
// CHECK-NEXT: br label %"[[H:.*]]"
// CHECK-NEXT: [[H]]:
// CHECK-NEXT: %[[ROW:.*]] = phi  i64 [%"start", %{{.*}}]
// CHECK-NEXT: icmp slt i64 %[[ROW]], %"end"
// CHECK: load float, float* %{{.*}}
// CHECK-NEXT: getelementptr float, float* %{{.*}}
// CHECK-NEXT: store float
// CHECK-LABEL: define void @"k0.conv_range"(
// CHECK-SAME: float* noalias %{{.*}}, float* noalias %{{.*}}, float* noalias %{{.*}}, float* %{{.*}}, i64 %[[S:[^,]*]], i64 %[[E:[^)]*]]) noinline
// CHECK: %"row" = phi  i64 [%[[S]], %"entry"]
// CHECK-NEXT: icmp slt i64 %"row", %[[E]]
// Each output row is straight-line code: the left-edge pixel (its window clipped by the padding, one
// accumulator cib.c0), then the other three pixels in one register tile (cib.c0.1, cib.c1, cib.c2):
// CHECK: %[[SR:.*]] = fadd <8 x float> %"cib.c0", %{{.*}}
// CHECK-NEXT: call <8 x float> @"llvm.maximum.v8f32"(<8 x float> %[[SR]], <8 x float> <float {{ *}}0x0,
// CHECK: call <8 x float> @"llvm.fma.v8f32"({{.*}}, <8 x float> %"kh.c0")
// CHECK: cib.exit.1:
// CHECK: %[[BIAS:.*]] = load <8 x float>, <8 x float>* %{{.*}}
// CHECK: %[[S0:.*]] = fadd <8 x float> %"cib.c0.1", %[[BIAS]]
// CHECK-NEXT: %[[R0:.*]] = call <8 x float> @"llvm.maximum.v8f32"(<8 x float> %[[S0]], <8 x float> <float {{ *}}0x0,
// CHECK-NEXT: %[[P0:.*]] = getelementptr inbounds float, float* %{{.*}}, i64 %{{.*}}
// CHECK-NEXT: %[[VP0:.*]] = bitcast float* %[[P0]] to <8 x float>*
// CHECK-NEXT: store <8 x float> %[[R0]], <8 x float>* %[[VP0]]
// CHECK: fadd <8 x float> %"cib.c1", %[[BIAS]]
// CHECK: fadd <8 x float> %"cib.c2", %[[BIAS]]
// CHECK-NOT: %"cib.c3"
// CHECK-DAG: declare <8 x float> @"llvm.fma.v8f32"
// CHECK-DAG: declare <8 x float> @"llvm.maximum.v8f32"
// CHECK-DAG: define void @"k0.conv"(float* %{{.*}}, float* %{{.*}}, float* %{{.*}}, float* %{{.*}})
// CHECK-DAG: define void @"k0.conv_kernel"(i8** %{{.*}}, i64 %{{.*}}, i64 %{{.*}})
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<1x2x4x4xf32>, %arg1: memref<3x2x3x3xf32>, %arg2: memref<3xf32>, %arg3: memref<1x3x4x4xf32>):
    "loop.conv2d"(%arg0, %arg1, %arg2, %arg3) <{dilations = array<i64: 1, 1>, extra_kinds = ["channel"], group = 1 : i64, kernel = array<i64: 3, 3>, oc_blocks = 2 : i64, oc_outer = false, ow_tile = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, vector_width = 8 : i64}> ({
    ^bb0(%arg4: f32, %arg5: f32):
      %0 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      %1 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc(fused["conv", "relu"])
      %2 = "arith.maximumf"(%0, %1) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      "loop.yield"(%2) : (f32) -> ()
    }) : (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> () loc(fused["conv", "relu"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.conv", "tensor.generic"], zg.parallel_range = 4 : i64} : () -> () loc(fused["conv", "relu"])
  "func.func"() <{function_type = (memref<1x2x4x4xf32>, memref<1x3x4x4xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<1x2x4x4xf32>, %arg1: memref<1x3x4x4xf32>):
    %0 = "loop.weight"() <{value = dense<5.000000e-01> : tensor<3x2x3x3xf32>}> : () -> memref<3x2x3x3xf32> loc("w")
    %1 = "loop.weight"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> memref<3xf32> loc("b")
    "loop.call"(%arg0, %0, %1, %arg1) <{callee = @k0}> : (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> () loc(fused["conv", "relu"])
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
