import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldProblemDto {
  @ApiProperty({ example: 'username' })
  field!: string;

  @ApiProperty({ example: 'username must be 3-32 characters of letters, digits, ".", "_" or "-"' })
  message!: string;
}

/** The one error shape (documentation of ErrorEnvelope for OpenAPI). */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: 'Validation failed' })
  error!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Validation failures only' })
  details?: FieldProblemDto[];
}
