// RUN: ziggurat opt %s --pipeline "builtin.module(mixed-precision)" | filecheck %s
// RUN: ziggurat opt %s --pipeline "builtin.module(mixed-precision{policy=bf16 force-f32=relu force-low=softmax calibration=1})" | filecheck %s --check-prefix=FORCE
// RUN: ziggurat opt %s --pipeline "builtin.module(mixed-precision{tolerance=1e-9})" | filecheck %s --check-prefix=TIGHT
// RUN: ziggurat opt %s --pipeline "builtin.module(mixed-precision)" --precision-report 2>&1 >/dev/null | filecheck %s --check-prefix=REPORT
// f16: the input is cast down once, weights become f16 constants (no runtime cast), conv/relu/flatten run
// in f16 with f16 result types, softmax stays f32 behind one cast up.
// CHECK: %[[X:.*]] = "graph.cast"(%arg0) <{to = 10 : i64}> : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf16>
// CHECK-DAG: %[[W:.*]] = "graph.constant"() <{value = dense<{{.*}}> : tensor<2x2x1x1xf16>}>
// CHECK-DAG: %[[B:.*]] = "graph.constant"() <{value = dense<{{.*}}> : tensor<2xf16>}>
// CHECK-NOT: tensor<2x2x1x1xf32>
// CHECK: %[[C:.*]] = "graph.conv"(%[[X]], %[[W]], %[[B]]) {zg.precision = "f16", zg.precision_reason = "measured error {{.*}} <= tolerance 0.01"} : {{.*}} -> tensor<1x2x3x3xf16>
// CHECK: %[[R:.*]] = "graph.relu"(%[[C]]) {zg.precision = "f16"{{.*}} -> tensor<1x2x3x3xf16>
// CHECK: %[[F:.*]] = "graph.flatten"(%[[R]]) {zg.precision = "f16", zg.precision_reason = "data movement: follows its low-precision input"}
// CHECK: %[[U:.*]] = "graph.cast"(%[[F]]) <{to = 1 : i64}> : (tensor<1x18xf16>) -> tensor<1x18xf32>
// CHECK: "graph.softmax"(%[[U]]) {zg.precision = "f32", zg.precision_reason = "sensitive op (softmax) kept in f32{{.*}}"}
// CHECK: zg.precision_summary = "policy f16, tolerance 0.01; f16: 3 ops, f32: 1 ops; end-to-end error
// FORCE: "graph.conv"{{.*}}zg.precision = "bf16"{{.*}} -> tensor<1x2x3x3xbf16>
// FORCE-NEXT: "graph.cast"{{.*}}<{to = 1 : i64}> : (tensor<1x2x3x3xbf16>) -> tensor<1x2x3x3xf32>
// FORCE-NEXT: "graph.relu"{{.*}}zg.precision = "f32", zg.precision_reason = "forced f32 (force-f32=relu)"
// FORCE-NEXT: "graph.flatten"{{.*}}zg.precision = "f32", zg.precision_reason = "data movement: follows its f32 input"
// FORCE-NEXT: "graph.cast"{{.*}}<{to = 16 : i64}>
// FORCE-NEXT: "graph.softmax"{{.*}}zg.precision = "bf16", zg.precision_reason = "forced bf16 (force-low=softmax)
// TIGHT-NOT: graph.cast
// TIGHT: "graph.conv"{{.*}}zg.precision = "f32", zg.precision_reason = "measured error {{.*}} > tolerance 1e-09"
// TIGHT-NOT: graph.cast
// REPORT: mixed-precision report for @main
// REPORT: conv     conv        f16        measured error
// REPORT: softmax  softmax     f32        sensitive op (softmax) kept in f32
// REPORT: total: 3 f16, 1 f32; convolutions in low precision: 1 of 1
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x3x3xf32>) -> tensor<1x18xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x3x3xf32>):
    %0 = "graph.constant"() <{value = dense<[[[[-6.500000e-01]], [[-1.700000e-01]]], [[[1.660000e+00]], [[6.600000e-01]]]]> : tensor<2x2x1x1xf32>}> : () -> tensor<2x2x1x1xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("b")
    %2 = "graph.conv"(%arg0, %0, %1) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32> loc("conv")
    %3 = "graph.relu"(%2) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("relu")
    %4 = "graph.flatten"(%3) : (tensor<1x2x3x3xf32>) -> tensor<1x18xf32> loc("flat")
    %5 = "graph.softmax"(%4) : (tensor<1x18xf32>) -> tensor<1x18xf32> loc("softmax")
    "func.return"(%5) : (tensor<1x18xf32>) -> ()
  }) : () -> ()
}) : () -> ()
